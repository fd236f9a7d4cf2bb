// Settings of the generated Kubernetes manifests (deploy/kubernetes/). Change them here and run
// `npm run generate`, or keep the generated files and patch them in your own kustomization overlay
// (`images:` for the image, a patch for resources).
export const kubernetesSettings = {
  /** Namespace of every object (the kustomization sets it). hostPath volumes need the namespace's
   *  Pod Security level to be "privileged" (baseline forbids hostPath): its label says so. */
  namespace: 'hostwatch',
  /** Image built from the Dockerfile and pushed to your registry; the tag is package.json's version. */
  image: 'hostwatch',
  /** Above ordinary workloads: a node under pressure evicts them before its monitoring. */
  priorityClassName: 'system-node-critical',
  /** Measured (README "Memory"): 40-80 MB RSS with logs and FIM; the inventory import of a million hosts
   *  peaks near 200 MB, but runs on one central host, not in this DaemonSet. */
  resources: {
    requests: { cpu: '50m', memory: '64Mi' },
    limits: { cpu: '500m', memory: '192Mi' },
  },
  scrapeInterval: '30s',
  scrapeTimeout: '10s',
  /** Where Prometheus runs (kube-prometheus: namespace monitoring, pods app.kubernetes.io/name=prometheus):
   *  the NetworkPolicy lets only it scrape. */
  prometheusNamespace: 'monitoring',
  prometheusPodLabels: { 'app.kubernetes.io/name': 'prometheus' },
  /** Labels the Prometheus operator's serviceMonitorSelector / ruleSelector look for (kube-prometheus:
   *  none needed for its own namespace; a Helm kube-prometheus-stack release wants release: <name>). */
  prometheusSelectorLabels: {} as Record<string, string>,
};
