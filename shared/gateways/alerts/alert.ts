/**
 * An alert to supervisors, and the port every alert channel implements. An alert never carries a
 * phone number in clear: callers pass masked ones.
 */
export interface Alert {
  kind:
    | 'callback_opened'
    | 'callback_overdue'
    | 'callback_escalated'
    | 'complaint_opened'
    | 'half_time'
    | 'limit_exceeded';
  /** `supervisors` (the team's) or `region` (escalation). */
  level: 'supervisors' | 'region';
  team: string;
  region: string;
  /** The callback case of a callback alert. */
  caseId?: string;
  /** The ticket of a dispatch alert (`half_time`, `limit_exceeded`), with its source. */
  ticketId?: string;
  source?: string;
  subject: string;
  message: string;
}

export interface AlertGateway {
  /** Publishes one alert; resolves to the channel's id of it. Throws when it could not (retried later). */
  publish(alert: Alert): Promise<{ messageId: string }>;
}
