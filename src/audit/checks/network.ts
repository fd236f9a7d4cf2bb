// Network checks: services that are normally reached only from the machine itself (or a private
// network) but listen on every interface. Recognised by their usual port or by the program name of
// the owning process (a database moved to another port is still a database).
import { isWildcard } from '../facts/network.js';
import type { Listener } from '../facts/types.js';
import { defineCheck, type Check } from '../types.js';
import { capped, fail, pass } from './common.js';

interface LocalService {
  name: string;
  ports: number[];
  programs: string[];
}

/** Databases, caches, queues and admin interfaces that should not face the internet. */
export const LOCAL_SERVICES: LocalService[] = [
  { name: 'MySQL/MariaDB', ports: [3306], programs: ['mysqld', 'mariadbd'] },
  { name: 'PostgreSQL', ports: [5432], programs: ['postgres', 'postmaster'] },
  { name: 'MongoDB', ports: [27017, 27018, 27019], programs: ['mongod', 'mongos'] },
  { name: 'Redis', ports: [6379], programs: ['redis-server'] },
  { name: 'Memcached', ports: [11211], programs: ['memcached'] },
  { name: 'Elasticsearch/OpenSearch', ports: [9200, 9300], programs: [] },
  { name: 'CouchDB', ports: [5984], programs: ['beam.smp'] },
  { name: 'Cassandra', ports: [9042, 7199], programs: [] },
  { name: 'InfluxDB', ports: [8086], programs: ['influxd'] },
  { name: 'etcd', ports: [2379, 2380], programs: ['etcd'] },
  { name: 'RabbitMQ', ports: [5672, 15672], programs: [] },
  { name: 'Erlang port mapper', ports: [4369], programs: ['epmd'] },
  { name: 'Docker API', ports: [2375, 2376], programs: ['dockerd'] },
  { name: 'Kibana', ports: [5601], programs: [] },
  { name: 'Webmin', ports: [10000], programs: ['miniserv.pl'] },
  { name: 'Consul', ports: [8500], programs: ['consul'] },
  { name: 'PHP-FPM (FastCGI)', ports: [9000], programs: ['php-fpm', 'php-fpm8.2', 'php-fpm7.4'] },
  { name: 'Zookeeper', ports: [2181], programs: [] },
  { name: 'rpcbind', ports: [111], programs: ['rpcbind'] },
];

/** The local-only service a socket belongs to, if any. */
export function localService(l: Listener): LocalService | undefined {
  const comm = l.process?.comm;
  return LOCAL_SERVICES.find((s) => s.ports.includes(l.port) || (comm !== undefined && s.programs.includes(comm)));
}

export function describeListener(l: Listener): string {
  const addr = l.address.includes(':') ? `[${l.address}]` : l.address;
  const who = l.process ? `${l.process.comm} (pid ${l.process.pid})` : `uid ${l.uid}, process unknown`;
  return `${addr}:${l.port}/${l.proto} ${who}`;
}

export const NETWORK_CHECKS: Check[] = [
  defineCheck({
    id: 'NET-EXPOSED-LOCAL-SERVICES',
    category: 'network',
    severity: 'high',
    needs: ['listeners'],
    title: 'Internal services open to the network',
    found: 'A database, cache or admin interface listens on every network interface instead of only on this machine.',
    why: 'These services are built to be used by programs on the same machine and often have no password, or a default one. Open to the internet, they are found by automated scans within hours and their data stolen or held to ransom.',
    fix: "Make the service listen on 127.0.0.1 only (e.g. bind-address = 127.0.0.1 for MySQL, bind 127.0.0.1 for Redis, listen_addresses = 'localhost' for PostgreSQL) and restart it; or block its port in the firewall",
    evaluate: ({ listeners }) => {
      const exposed = listeners
        .filter((l) => isWildcard(l.address))
        .flatMap((l) => {
          const s = localService(l);
          return s ? [`${s.name}: ${describeListener(l)}`] : [];
        });
      return exposed.length > 0
        ? fail(...capped([...new Set(exposed)]))
        : pass(`${listeners.filter((l) => isWildcard(l.address)).length} sockets on all interfaces, none of a local-only service`);
    },
  }),
];
