// The dns probe: one query to the target server over UDP or TCP (dns-packet encodes and decodes),
// then blackbox_exporter's checks: the response code among valid_rcodes, and the answer, authority
// and additional sections through their regexp validators. Phases: resolve (the server's name),
// connect (UDP: binding; TCP: the handshake), processing (query sent to response read).
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import dnsPacket, { type DecodedPacket, type Packet, type RecordType } from 'dns-packet';
import { splitHostPort, type DnsProbeConfig } from './config.js';
import { compileValidator, formatRR, rrProblem, type CompiledValidator } from './dns-records.js';
import { resolveTarget } from './resolve.js';
import { ProbeError, type ProbeRun } from './result.js';
import { connectTcp } from './tcp.js';

interface Validators {
  answer: CompiledValidator;
  authority: CompiledValidator;
  additional: CompiledValidator;
}

export async function prepareDns(cfg: DnsProbeConfig): Promise<(run: ProbeRun) => Promise<void>> {
  const d = cfg.dns;
  const validators: Validators = {
    answer: compileValidator(d.validate_answer_rrs),
    authority: compileValidator(d.validate_authority_rrs),
    additional: compileValidator(d.validate_additional_rrs),
  };
  return (run) => probeDns(cfg, validators, run);
}

function query(cfg: DnsProbeConfig, id: number): Packet {
  return {
    type: 'query',
    id,
    flags: cfg.dns.recursion_desired ? dnsPacket.RECURSION_DESIRED : 0,
    // ANY is encoded by dns-packet though its types do not list it.
    questions: [{ type: cfg.dns.query_type as RecordType, name: cfg.dns.query_name, class: 'IN' }],
  };
}

async function probeDns(cfg: DnsProbeConfig, v: Validators, run: ProbeRun): Promise<void> {
  const { host, port } = splitHostPort(cfg.target, 53)!;
  const id = randomInt(0, 65536);
  const packet = query(cfg, id);
  const response =
    cfg.dns.transport_protocol === 'tcp' ? await overTcp(host, port, cfg, packet, run) : await overUdp(host, port, cfg, packet, run);
  run.end('processing');
  check(cfg, v, response, run);
}

function check(cfg: DnsProbeConfig, v: Validators, res: DecodedPacket, run: ProbeRun): void {
  const answers = res.answers ?? [];
  const authorities = res.authorities ?? [];
  const additionals = res.additionals ?? [];
  run.details.dnsAnswerRrs = answers.length;
  run.details.dnsAuthorityRrs = authorities.length;
  run.details.dnsAdditionalRrs = additionals.length;
  const rcode = (res as { rcode?: string }).rcode ?? 'UNKNOWN';
  if (!(cfg.dns.valid_rcodes as string[]).includes(rcode))
    throw new ProbeError('rcode', `response code ${rcode} is not ${cfg.dns.valid_rcodes.join(', ')}`);
  const sections: [string, typeof answers, CompiledValidator, 'answer_rrs' | 'authority_rrs' | 'additional_rrs'][] = [
    ['answer', answers, v.answer, 'answer_rrs'],
    ['authority', authorities, v.authority, 'authority_rrs'],
    ['additional', additionals, v.additional, 'additional_rrs'],
  ];
  for (const [name, rrs, validator, reason] of sections) {
    const problem = rrProblem(rrs.map(formatRR), validator);
    if (problem) throw new ProbeError(reason, `${name} section: ${problem}`);
  }
}

/** Decodes a response; one that is not the answer to our query is an error of the server. */
function decodeResponse(buf: Buffer, id: number): DecodedPacket {
  let res: DecodedPacket;
  try {
    res = dnsPacket.decode(buf);
  } catch (err) {
    throw new ProbeError('read', `undecodable response: ${(err as Error).message}`);
  }
  if (res.id !== id || res.type !== 'response') throw new ProbeError('read', 'response to another query');
  return res;
}

async function overUdp(host: string, port: number, cfg: DnsProbeConfig, packet: Packet, run: ProbeRun): Promise<DecodedPacket> {
  const server = await resolveTarget(host, cfg.dns, run.signal);
  run.details.ipProtocol = server.family;
  run.end('resolve', 'connect');
  const socket = dgram.createSocket({ type: server.family === 6 ? 'udp6' : 'udp4', signal: run.signal });
  try {
    return await new Promise<DecodedPacket>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('close', () => reject(run.signal.reason ?? new Error('socket closed')));
      // connect() filters datagrams to those of the server; others (spoofed answers) never arrive.
      socket.connect(port, server.address, () => {
        run.end('connect', 'processing');
        socket.send(dnsPacket.encode(packet));
      });
      socket.on('message', (msg) => {
        try {
          resolve(decodeResponse(msg, packet.id!));
        } catch {
          // Not ours (a late answer to an earlier probe): keep waiting until the timeout.
        }
      });
    });
  } finally {
    socket.removeAllListeners('close');
    if (!run.signal.aborted) socket.close();
  }
}

async function overTcp(host: string, port: number, cfg: DnsProbeConfig, packet: Packet, run: ProbeRun): Promise<DecodedPacket> {
  const socket = await connectTcp(host, port, cfg.dns, run);
  run.begin('processing');
  try {
    return await new Promise<DecodedPacket>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        size += d.length;
        if (size < 2) return;
        const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        chunks.length = 0;
        chunks.push(all);
        // A two-byte length prefix: a response is at most 64 KiB.
        const length = all.readUInt16BE(0);
        if (size < 2 + length) return;
        try {
          resolve(decodeResponse(all.subarray(2, 2 + length), packet.id!));
        } catch (err) {
          reject(err);
        }
      });
      socket.once('error', reject);
      socket.once('end', () => reject(new ProbeError('read', 'connection closed before the response')));
      socket.write(dnsPacket.streamEncode(packet));
    });
  } finally {
    socket.destroy();
  }
}
