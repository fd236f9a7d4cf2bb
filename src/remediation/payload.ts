// Alertmanager's webhook payload, version 4 (notify/webhook in Alertmanager's sources:
// {version, groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels,
// commonAnnotations, externalURL, alerts: [{status, labels, annotations, startsAt, endsAt,
// generatorURL, fingerprint}]}). Only what the engine uses is required; unknown keys are kept out.
import { z } from 'zod';

const labelSet = z.record(z.string(), z.string());

export const webhookAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: z.string().default(''),
  endsAt: z.string().default(''),
  generatorURL: z.string().default(''),
  fingerprint: z.string().min(1).max(64),
});

export const webhookPayloadSchema = z.object({
  version: z.literal('4', { error: 'only version "4" of the Alertmanager webhook payload is supported' }),
  groupKey: z.string().default(''),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().default(''),
  groupLabels: labelSet.default({}),
  commonLabels: labelSet.default({}),
  commonAnnotations: labelSet.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(webhookAlertSchema).max(1000),
});

export type WebhookPayload = z.output<typeof webhookPayloadSchema>;
export type WebhookAlert = z.output<typeof webhookAlertSchema>;
