/**
 * What became of one due item, counted by the dispatcher under this name (e.g. surveysSent,
 * queued, expired, failed); 'skipped' (nothing to do now, or another actor did it) is not counted.
 */
export type Outcome = string;
