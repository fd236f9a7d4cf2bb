#!/usr/bin/env node
// Inventory import benchmark: a 1,000,000-host export of each format (CrowdStrike Falcon devices JSON,
// Qualys host list XML, Qualys API CSV), generated once into the temp dir (1% of the hosts appear twice,
// renamed, so the merge path is exercised), then imported by the built exporter's code (dist/, with the
// deployed node flags) in a child process per format. Prints hosts/s, MB/s and peak RSS (VmHWM of the
// child), and as the anchor of the same run the time to merely read and decode the same file.
// Goal: >= 100,000 hosts/s and peak RSS <= 200 MB per import. Asserts nothing: the machine is shared.
//   node bench/inventory.mjs            (after `npm run build`; BENCH_HOSTS=N to change the size)
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deployedNodeFlags, memory } from './proc-memory.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_HOSTS ?? 1_000_000);
const FORMATS = ['crowdstrike_json', 'qualys_xml', 'qualys_csv'];
const EXT = { crowdstrike_json: 'json', qualys_xml: 'xml', qualys_csv: 'csv' };

// ---------------------------------------------------------------------------------------------
// generation (deterministic)
// ---------------------------------------------------------------------------------------------

const OS = [
  ['Ubuntu 22.04', 'Ubuntu Linux 22.04.4 LTS', 'Linux'],
  ['Ubuntu 20.04', 'Ubuntu Linux 20.04.6 LTS', 'Linux'],
  ['RHEL 8.9', 'Red Hat Enterprise Linux 8.9', 'Linux'],
  ['RHEL 7.9', 'Red Hat Enterprise Linux Server 7.9', 'Linux'],
  ['Debian 12', 'Debian GNU/Linux 12', 'Linux'],
  ['Amazon Linux 2', 'Amazon Linux 2', 'Linux'],
  ['Windows Server 2019', 'Windows Server 2019 Datacenter 64 bit Edition Version 1809', 'Windows'],
  ['Windows Server 2022', 'Windows Server 2022 Standard 64 bit Edition Version 21H2', 'Windows'],
  ['Windows 10', 'Windows 10 Enterprise 64 bit Edition Version 22H2', 'Windows'],
  ['Windows 11', 'Windows 11 Enterprise 64 bit Edition Version 23H2', 'Windows'],
  ['Sonoma (14)', 'macOS 14.4', 'Mac'],
  ['CentOS 7.9', 'CentOS Linux 7.9.2009', 'Linux'],
];
const DOMAINS = ['corp.example.com', 'dc1.example.com', 'dc2.example.com', 'branch.example.org', 'lab.example.net'];
const T0 = Date.parse('2022-05-01T00:00:00Z');

/** The i-th host; every 100th record repeats host i-50, renamed and seen later (a duplicate). */
function host(i) {
  const dup = i % 100 === 99;
  const k = dup ? i - 50 : i;
  const h = Math.imul(k + 1, 2654435761) >>> 0;
  const os = OS[h % OS.length];
  const first = T0 + (h % (720 * 86400)) * 1000;
  const last = Math.min(first + ((h >>> 8) % (400 * 86400)) * 1000 + (dup ? 86400000 : 0), Date.parse('2024-05-02T00:00:00Z'));
  const hex = (k + 0x100000).toString(16).padStart(6, '0');
  return {
    id: String(1_000_000 + k),
    deviceId: `4f3c6f2d1a2b4c5d8e9f${hex.padStart(12, '0')}`,
    name: `srv-${k.toString(36)}${dup ? '-new' : ''}`,
    domain: DOMAINS[h % DOMAINS.length],
    ip: `10.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`,
    mac: `00-50-56-${hex.slice(0, 2)}-${hex.slice(2, 4)}-${hex.slice(4, 6)}`,
    os,
    first: new Date(first).toISOString().slice(0, 19) + 'Z',
    last: new Date(last).toISOString().slice(0, 19) + 'Z',
  };
}

const WRITERS = {
  crowdstrike_json: {
    head: '{"meta":{"query_time":0.5,"powered_by":"device-api","trace_id":"bench"},"resources":[\n',
    record: (r, i) =>
      `${i ? ',' : ''}{"device_id":"${r.deviceId}","cid":"0123456789abcdef0123456789abcdef","agent_version":"7.11.16405.0",` +
      `"external_ip":"198.51.100.7","mac_address":"${r.mac}","hostname":"${r.name}","first_seen":"${r.first}","last_seen":"${r.last}",` +
      `"local_ip":"${r.ip}","os_version":"${r.os[0]}","platform_name":"${r.os[2]}","product_type_desc":"Server",` +
      `"policies":[{"policy_type":"prevention","policy_id":"1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c","applied":true}],` +
      `"status":"normal","system_manufacturer":"VMware, Inc.","tags":["SensorGroupingTags/bench"],"meta":{"version":"4312"}}\n`,
    tail: '],"errors":[]}\n',
  },
  qualys_xml: {
    head: '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE HOST_LIST_OUTPUT SYSTEM "https://qualysapi.qualys.com/api/2.0/fo/asset/host/host_list_output.dtd">\n<HOST_LIST_OUTPUT>\n<RESPONSE>\n<DATETIME>2024-05-02T08:00:12Z</DATETIME>\n<HOST_LIST>\n',
    record: (r) =>
      `<HOST>\n<ID>${r.id}</ID>\n<IP>${r.ip}</IP>\n<TRACKING_METHOD>AGENT</TRACKING_METHOD>\n<NETWORK_ID>0</NETWORK_ID>\n` +
      `<DNS><![CDATA[${r.name}.${r.domain}]]></DNS>\n<DNS_DATA>\n<HOSTNAME><![CDATA[${r.name}]]></HOSTNAME>\n<DOMAIN><![CDATA[${r.domain}]]></DOMAIN>\n` +
      `<FQDN><![CDATA[${r.name}.${r.domain}]]></FQDN>\n</DNS_DATA>\n<NETBIOS><![CDATA[${r.name.toUpperCase()}]]></NETBIOS>\n<OS><![CDATA[${r.os[1]}]]></OS>\n` +
      `<FIRST_FOUND_DATE>${r.first}</FIRST_FOUND_DATE>\n<LAST_ACTIVITY>${r.last}</LAST_ACTIVITY>\n` +
      `<LAST_VULN_SCAN_DATETIME>${r.last}</LAST_VULN_SCAN_DATETIME>\n<LAST_VM_SCANNED_DATE>${r.last}</LAST_VM_SCANNED_DATE>\n` +
      `<LAST_VM_SCANNED_DURATION>310</LAST_VM_SCANNED_DURATION>\n<OWNER><![CDATA[ops]]></OWNER>\n</HOST>\n`,
    tail: '</HOST_LIST>\n</RESPONSE>\n</HOST_LIST_OUTPUT>\n',
  },
  qualys_csv: {
    head:
      '----BEGIN_RESPONSE_HEADER_CSV\n"Action","List"\n"Output Format","CSV"\n----END_RESPONSE_HEADER_CSV\n----BEGIN_RESPONSE_BODY_CSV\n' +
      '"ID","IP","TRACKING_METHOD","DNS","NETBIOS","OS","FIRST_FOUND_DATE","LAST_VULN_SCAN_DATETIME","LAST_ACTIVITY"\n',
    record: (r) =>
      `"${r.id}","${r.ip}","AGENT","${r.name}.${r.domain}","${r.name.toUpperCase()}","${r.os[1]}","${r.first}","${r.last}","${r.last}"\n`,
    tail: '----END_RESPONSE_BODY_CSV\n',
  },
};

async function generate(format, file) {
  const w = WRITERS[format];
  const out = createWriteStream(`${file}.tmp`);
  const write = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
  await write(w.head);
  for (let i = 0; i < N; i += 10_000) {
    let chunk = '';
    for (let j = i; j < Math.min(N, i + 10_000); j++) chunk += w.record(host(j), j);
    await write(chunk);
  }
  await write(w.tail);
  await new Promise((r) => out.end(r));
  renameSync(`${file}.tmp`, file);
}

// ---------------------------------------------------------------------------------------------
// child: one import (or the read-only anchor), reporting its own figures
// ---------------------------------------------------------------------------------------------

async function child(mode, format, file) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let hosts = 0;
  let records = 0;
  if (mode === 'read') {
    // The anchor: what any importer pays before parsing (read, UTF-8 decode).
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) records += chunk.length;
  } else {
    const { importInventory } = await import(pathToFileURL(path.join(ROOT, 'dist/inventory/import.js')).href);
    const { inventorySchema } = await import(pathToFileURL(path.join(ROOT, 'dist/inventory/config.js')).href);
    const cfg = inventorySchema.parse({
      enabled: true,
      directory: path.dirname(file),
      sources: [{ name: 'bench', format, files: path.basename(file) }],
    });
    const st = statSync(file);
    const result = await importInventory(cfg, [{ source: 'bench', format, path: file, size: st.size, mtimeMs: st.mtimeMs }]);
    hosts = result.view.views.at(-1).hosts;
    records = result.view.counts.records;
  }
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    JSON.stringify({
      seconds: (performance.now() - t0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      hosts,
      records,
      mem: memory(process.pid),
    }) + '\n',
  );
}

function runChild(mode, format, file) {
  const r = spawnSync(process.execPath, [...deployedNodeFlags(), fileURLToPath(import.meta.url), '--child', mode, format, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`child ${mode} ${format} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function main() {
  if (!existsSync(path.join(ROOT, 'dist/inventory/import.js'))) {
    process.stderr.write('bench/inventory: dist/ is not built: run `npm run build` (or `npm run bench`)\n');
    process.exit(1);
  }
  console.log(`inventory import: ${N.toLocaleString('en')} hosts per format (1% renamed duplicates), shared machine: figures are noisy`);
  const results = [];
  for (const format of FORMATS) {
    const file = path.join(tmpdir(), `hostwatch-bench-inventory-${N}.${format}.${EXT[format]}`);
    if (!existsSync(file)) {
      process.stdout.write(`generating ${file} ...\n`);
      await generate(format, file);
    }
    const mb = statSync(file).size / 1e6;
    const read = runChild('read', format, file);
    const imp = runChild('import', format, file);
    const hps = imp.records / imp.seconds;
    const line =
      `${format}: ${Math.round(hps).toLocaleString('en')} hosts/s (${Math.round(imp.records / imp.cpuSeconds).toLocaleString('en')}/CPU-s), ` +
      `${(mb / imp.seconds).toFixed(0)} MB/s of ${mb.toFixed(0)} MB, ${imp.seconds.toFixed(1)} s, ${imp.hosts.toLocaleString('en')} hosts after merge; ` +
      `peak RSS ${(imp.mem.hwm / 1024).toFixed(0)} MB; anchor (read+decode only) ${(mb / read.seconds).toFixed(0)} MB/s, import/anchor time ${(imp.seconds / read.seconds).toFixed(1)}x`;
    console.log(line);
    results.push({ format, hps, hwm: imp.mem.hwm / 1024, line });
  }
  for (const r of results) {
    console.log(
      `summary: ${r.format}: ${Math.round(r.hps).toLocaleString('en')} hosts/s (goal >= 100,000: ${r.hps >= 100_000 ? 'met' : 'NOT met'}), peak RSS ${r.hwm.toFixed(0)} MB (goal <= 200: ${r.hwm <= 200 ? 'met' : 'NOT met'})`,
    );
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv[5]);
else await main();
