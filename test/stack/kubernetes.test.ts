// deploy/kubernetes/: every committed manifest is valid against the Kubernetes and prometheus-operator
// schemas (kubernetes-models' validate(); kubectl is not installed here), the objects fit together
// (selectors, port names, kustomization), the DaemonSet keeps its security promises, the PrometheusRule
// carries exactly the generated rules, and the ConfigMap holds a valid hostwatch.yml.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { parseConfigText } from '../../src/config/load.js';
import { REPO } from './tools.js';

const DIR = join(REPO, 'deploy/kubernetes');
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  DaemonSet,
  ConfigMap,
  Namespace,
  Service,
  ServiceAccount,
  NetworkPolicy,
  PrometheusRule,
  ServiceMonitor,
};
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const docs = new Map(files.map((f) => [f, parse(readFileSync(join(DIR, f), 'utf8')) as Obj]));
const byKind = (kind: string) => [...docs.values()].find((d) => d.kind === kind)!;

describe('Kubernetes manifests', () => {
  it('validate against the schemas of their kind', () => {
    const kinds = [...docs.values()].map((d) => d.kind).sort();
    expect(kinds).toEqual([
      'ConfigMap',
      'DaemonSet',
      'Kustomization',
      'Namespace',
      'NetworkPolicy',
      'PrometheusRule',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
    for (const [file, d] of docs) {
      if (d.kind === 'Kustomization') continue;
      expect(() => new MODELS[d.kind](d as never).validate(), file).not.toThrow();
    }
  });

  it('the validation would catch a broken manifest (it is not a no-op)', () => {
    const ds = structuredClone(byKind('DaemonSet'));
    ds.spec.template.spec.volumes[0].hostPath.type = 'Folder';
    expect(() => new DaemonSet(ds as never).validate()).toThrow();
    const sm = structuredClone(byKind('ServiceMonitor'));
    delete sm.spec.selector;
    expect(() => new ServiceMonitor(sm as never).validate()).toThrow();
  });

  it('the kustomization lists every manifest and sets the namespace', () => {
    const k = docs.get('kustomization.yaml')!;
    expect([...k.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml').sort());
    expect(k.namespace).toBe(byKind('Namespace').metadata.name);
    for (const d of docs.values()) expect(d.metadata?.namespace, d.kind).toBeUndefined();
  });

  it('the DaemonSet: no host PID/network, read-only host mounts, non-root, no capabilities, requests and limits', () => {
    const pod = byKind('DaemonSet').spec.template.spec;
    expect(pod.hostPID).toBe(false);
    expect(pod.hostNetwork).toBe(false);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    const [c] = pod.containers;
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.securityContext.capabilities.add).toBeUndefined();
    expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
    const hostVolumes = new Map(pod.volumes.filter((v: Obj) => v.hostPath).map((v: Obj) => [v.name, v.hostPath.path]));
    expect([...hostVolumes.values()].sort()).toEqual(['/', '/proc', '/sys', '/var/lib/hostwatch', '/var/log']);
    for (const m of c.volumeMounts) {
      // Only the state directory (checkpoints, FIM baseline) is written.
      if (hostVolumes.has(m.name)) expect(m.readOnly ?? false, m.name).toBe(hostVolumes.get(m.name) !== '/var/lib/hostwatch');
    }
    // The one root container changes the owner of the state directory, with CAP_CHOWN only.
    expect(pod.initContainers.map((i: Obj) => [i.securityContext.runAsUser, i.securityContext.capabilities])).toEqual([
      [0, { drop: ['ALL'], add: ['CHOWN'] }],
    ]);
  });

  it('Service, ServiceMonitor and NetworkPolicy select the DaemonSet pods and its port', () => {
    const ds = byKind('DaemonSet');
    const podLabels = ds.spec.template.metadata.labels;
    const matches = (sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => podLabels[k] === v);
    const svc = byKind('Service');
    expect(matches(svc.spec.selector)).toBe(true);
    expect(matches(byKind('NetworkPolicy').spec.podSelector.matchLabels)).toBe(true);
    const port = ds.spec.template.spec.containers[0].ports[0];
    expect(svc.spec.ports[0]).toMatchObject({ name: port.name, targetPort: port.name });
    const sm = byKind('ServiceMonitor');
    expect(Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => svc.metadata.labels[k] === v)).toBe(true);
    expect(sm.spec.endpoints[0].port).toBe(port.name);
    // job="hostwatch" (the mixin's selector) comes from the label named by jobLabel.
    expect(svc.metadata.labels[sm.spec.jobLabel]).toBe('hostwatch');
    expect(byKind('NetworkPolicy').spec.ingress[0].ports[0].port).toBe(port.containerPort);
  });

  it('the PrometheusRule carries exactly the generated rule groups', () => {
    const groups = readdirSync(join(REPO, 'prometheus/rules')).flatMap(
      (f) => parse(readFileSync(join(REPO, 'prometheus/rules', f), 'utf8')).groups,
    );
    const key = (gs: Obj[]) => gs.map((g) => JSON.stringify(g)).sort();
    expect(key(byKind('PrometheusRule').spec.groups)).toEqual(key(groups));
  });

  it('the ConfigMap holds a hostwatch.yml that hostwatch accepts', () => {
    const text = byKind('ConfigMap').data['hostwatch.yml'];
    const config = parseConfigText(text, 'configmap');
    expect(config.host.proc_path).toBe('/host/proc');
    const mounts = byKind('DaemonSet').spec.template.spec.containers[0].volumeMounts.map((m: Obj) => m.mountPath);
    for (const p of [config.host.proc_path, config.host.sys_path, config.host.rootfs_path]) expect(mounts).toContain(p);
  });
});
