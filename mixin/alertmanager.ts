// alertmanager/alertmanager.yml: routing by severity, grouping, inhibition and escalation.
//
// Escalation: Alertmanager has no "still firing after N minutes" condition. A first route matches
// every critical alert, sends it to the escalation receiver with group_wait = escalateAfter, and
// `continue: true` lets the pager route see it too. A group's first notification is only sent when
// group_wait expires, and Alertmanager sends nothing for a group whose alerts all resolved before
// its first notification: so the escalation receiver hears only of alerts still firing escalateAfter
// after Alertmanager first received them. Limits are documented in docs/runbook.md#escalation.
import { stringify } from 'yaml';
import type { MixinConfig } from './config.js';

/** Test override: every receiver but `null` posts to `webhookUrl` (the e2e suite's local webhook). */
export interface ReceiverOverrides {
  webhookUrl: string;
}

export const RECEIVERS = { pager: 'pager', chat: 'chat', escalation: 'escalation', none: 'null' } as const;

export function alertmanagerConfig(cfg: MixinConfig, overrides?: ReceiverOverrides): Record<string, unknown> {
  const am = cfg.alertmanager;
  const secret = (name: string) => `${am.secretsDir}/${name}`;
  const sendResolved = { send_resolved: true };
  const email = (to: string) => ({
    ...sendResolved,
    to,
    headers: { Subject: '{{ template "hostwatch.email.subject" . }}' },
    text: '{{ template "hostwatch.text" . }}',
  });
  const webhook = (url: string, tokenFile: string) => ({
    ...sendResolved,
    url,
    // Alertmanager 0.25 has no url_file for webhooks: the URL is config, the bearer token a file.
    http_config: { authorization: { credentials_file: secret(tokenFile) } },
  });
  const receivers = overrides
    ? [RECEIVERS.pager, RECEIVERS.chat, RECEIVERS.escalation].map((name) => ({
        name,
        webhook_configs: [{ ...sendResolved, url: overrides.webhookUrl }],
      }))
    : [
        { name: RECEIVERS.pager, webhook_configs: [webhook(am.pager.webhookUrl, 'pager_token')], email_configs: [email(am.pager.email)] },
        {
          name: RECEIVERS.chat,
          slack_configs: [
            {
              ...sendResolved,
              channel: am.chat.slackChannel,
              title: '{{ template "hostwatch.title" . }}',
              text: '{{ template "hostwatch.text" . }}',
            },
          ],
        },
        {
          name: RECEIVERS.escalation,
          webhook_configs: [webhook(am.escalation.webhookUrl, 'escalation_token')],
          email_configs: [email(am.escalation.email)],
        },
      ];
  const severity = (s: string) => [`severity="${s}"`];
  return {
    global: {
      resolve_timeout: '5m',
      smtp_smarthost: am.smtp.smarthost,
      smtp_from: am.smtp.from,
      smtp_auth_username: am.smtp.username,
      smtp_auth_password_file: secret('smtp_password'),
      smtp_require_tls: true,
      slack_api_url_file: secret('slack_api_url'),
    },
    templates: ['templates/*.tmpl'],
    route: {
      // Alerts without a known severity still reach a human.
      receiver: RECEIVERS.chat,
      group_by: ['alertname', 'instance'],
      group_wait: am.groupWait,
      group_interval: am.groupInterval,
      repeat_interval: am.repeatInterval,
      routes: [
        {
          receiver: RECEIVERS.escalation,
          matchers: severity('critical'),
          group_wait: am.escalateAfter,
          repeat_interval: am.escalationRepeatInterval,
          continue: true,
        },
        { receiver: RECEIVERS.pager, matchers: severity('critical') },
        { receiver: RECEIVERS.chat, matchers: severity('warning') },
        { receiver: RECEIVERS.none, matchers: severity('info') },
      ],
    },
    inhibit_rules: [
      {
        // The exporter is down: its host's other alerts (stale or absent data) would only be noise.
        source_matchers: ['alertname="HostwatchDown"'],
        target_matchers: ['alertname!="HostwatchDown"'],
        equal: ['instance'],
      },
      {
        // The critical level of an alert hides its warning level, for the same object of the same host
        // (mountpoint/path/probe tell apart filesystems, certificate files and probed endpoints; absent on
        // both sides counts as equal).
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', 'instance', 'mountpoint', 'path', 'probe'],
      },
    ],
    receivers: [...receivers, { name: RECEIVERS.none }],
  };
}

export const REMEDIATION_RECEIVER = 'hostwatch-remediation';
/** First line of the commented block, for tools (and the e2e test) that uncomment it. */
export const REMEDIATION_MARKER = '# --- hostwatch remediation (uncomment to enable) ---';

/**
 * The remediation receiver and its route, as YAML comments appended to alertmanager.yml: hostwatch
 * acts on the host only when an operator opts in. Its route goes first with `continue: true`, so the
 * humans are still notified; group_by ['...'] makes one notification per alert, and group_wait 0s
 * sends it at once.
 */
export function remediationReceiverComment(cfg: MixinConfig): string {
  const am = cfg.alertmanager;
  const block = {
    route: {
      routes: [
        {
          receiver: REMEDIATION_RECEIVER,
          matchers: [`alertname=~"${am.remediation.alerts.join('|')}"`],
          group_by: ['...'],
          group_wait: '0s',
          continue: true,
        },
      ],
    },
    receivers: [
      {
        name: REMEDIATION_RECEIVER,
        webhook_configs: [
          {
            url: am.remediation.url,
            send_resolved: true,
            // A bearer token of the hostwatch web config with the operator role (docs/api.md).
            http_config: { authorization: { credentials_file: `${am.secretsDir}/hostwatch_token` } },
          },
        ],
      },
    ],
  };
  const text = stringify(block, { lineWidth: 0, minContentWidth: 0 });
  return [
    '',
    REMEDIATION_MARKER,
    '# hostwatch runs the `actions:` of its hostwatch.yml for the alerts posted here (docs/api.md,',
    "# examples/actions.yml). To enable: put an operator bearer token of hostwatch's web config in the",
    '# credentials file, merge the route into `route.routes` (first, it continues) and the receiver',
    '# into `receivers`, and list in the matcher the alerts that may act.',
    ...text
      .trimEnd()
      .split('\n')
      .map((l) => `# ${l}`),
    '',
  ].join('\n');
}
