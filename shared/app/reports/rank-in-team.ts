import type { Deps } from '#shared/app/deps';
import { rankedEngineers } from '#shared/app/reports/figures';
import type { Period } from '#shared/domain/time';
import { queryForReport } from '#shared/store/aggregate';

/**
 * An engineer's place within their team over a period, for their own page (GET
 * /v1/reports/engineers/{engineerId} `rankInTeam`): a position and a head count, never a colleague's
 * name, id or figure.
 *
 * Computed exactly as the team report ranks a team's engineers (rollups.ts, score.ts `rank`): the
 * aggregates counted under the team in the period, summed per engineer, ranked. Read by key, never
 * a Scan: for each whole month the team's roll-ups (one sort-key prefix), for the other days the
 * daily aggregates of those days (store/aggregate.ts `queryForReport`). The same numbers whoever asks
 * (the engineer, or a manager, agent or admin who may see the detail): the team's figures are not
 * cut to the asker's scope, since nothing of them but the position leaves the server.
 */
export interface RankInTeam {
  /** 1-based position among the team's engineers (score.ts `rank`: sufficient samples first). */
  rank: number;
  /** How many engineers the team has figures for in the period (the engineer among them). */
  of: number;
  /** The engineer's responses under the team reach `score.minSample`; else the rank is only indicative. */
  sampleSufficient: boolean;
}

/** The engineer's rank within `team` over the period; null when nothing of theirs is counted under it. */
export async function rankInTeam(
  deps: Pick<Deps, 'rules'>,
  engineerId: string,
  team: string,
  period: Period,
): Promise<RankInTeam | null> {
  if (!team) return null;
  const items = (await queryForReport(period.days, [team])).filter((it) => it.team === team);
  const ranked = rankedEngineers(deps.rules, items);
  const me = ranked.find((e) => e.engineerId === engineerId);
  return me ? { rank: me.rank, of: ranked.length, sampleSufficient: me.sampleSufficient } : null;
}
