import { UNATTRIBUTED } from '#shared/domain/complaints';

/**
 * Who may see what (docs/domain.md section 1), decided here and nowhere else: the reports, the
 * callback cases and their handlers ask these functions. Pure: no storage, no configuration.
 *
 * - `admin`: everything.
 * - `manager`, `agent`: what is counted under one of the token's teams or regions (names compared
 *   exactly: `North Team` is neither `North` nor `North#Team`); both work callback cases, only
 *   the agent (and the admin) sees a customer's full phone, on a single case.
 * - `engineer`: their own figures only; no rollups, no callback cases.
 */
export type AccessRole = 'admin' | 'manager' | 'agent' | 'engineer';

/** What access depends on: the role and the scope a token carries (http/auth `Principal` is one). */
export interface Viewer {
  role: AccessRole;
  teams: readonly string[];
  regions: readonly string[];
  engineerId?: string;
}

/** Where something was counted or belongs: a team within a region. */
export interface Placement {
  team: string;
  region: string;
}

const inTeamsOrRegions = (v: Viewer, at: Placement) =>
  v.teams.includes(at.team) || v.regions.includes(at.region);

/**
 * Team and region of what belongs to no engineer (a complaint or a customer's text that no recent
 * survey owns, domain/complaints.ts): for admins only, whatever names a token's scope holds.
 */
const unattributed = (at: Partial<Placement>) => at.team === UNATTRIBUTED || at.region === UNATTRIBUTED;

/** Figures counted for an engineer under a team and region (an aggregate day, a survey's answer). */
export function canSeeFigures(v: Viewer, at: Placement & { engineerId: string }): boolean {
  switch (v.role) {
    case 'admin':
      return true;
    case 'manager':
    case 'agent':
      return inTeamsOrRegions(v, at);
    case 'engineer':
      return v.engineerId !== undefined && v.engineerId === at.engineerId;
  }
}

/** Team and region rollups: for everyone but engineers. */
export const maySeeRollups = (v: Viewer): boolean => v.role !== 'engineer';

/**
 * Which aggregates a report reads for the viewer, as narrowly as the scope allows (what
 * `canSeeFigures` keeps is decided afterwards, per item):
 * - `engineer`: their own days (none without an engineer id);
 * - `all`: every team's (an admin, or a scope with regions: regions cut across teams);
 * - `teams`: those of the scope's teams only (none when there are none).
 */
export type ReportReach =
  | { kind: 'engineer'; engineerId?: string }
  | { kind: 'all' }
  | { kind: 'teams'; teams: readonly string[] };

export function reportReach(v: Viewer): ReportReach {
  if (v.role === 'engineer')
    return v.engineerId ? { kind: 'engineer', engineerId: v.engineerId } : { kind: 'engineer' };
  if (v.role === 'admin' || v.regions.length > 0) return { kind: 'all' };
  return { kind: 'teams', teams: v.teams };
}

/**
 * Whether the viewer may ask for one engineer's detail at all, before anything is read: an
 * engineer only for themself, a manager or agent only with some team or region. Whether there is
 * something visible to show is then `canSeeFigures` on what is read.
 */
export function mayAskForEngineer(v: Viewer, engineerId: string): boolean {
  if (v.role === 'engineer') return v.engineerId === engineerId;
  if (v.role === 'admin') return true;
  return v.teams.length > 0 || v.regions.length > 0;
}

/**
 * What an engineer's detail answers when nothing of theirs is visible to the viewer: 403 for a
 * manager or agent (the same as for an unknown engineer, so that they learn nothing about who
 * exists), 404 for an admin (only an engineer never seen), and for an engineer asking for
 * themself, their (empty) figures.
 */
export function whenEngineerUnseen(v: Viewer): 'forbidden' | 'not_found' | 'empty' {
  if (v.role === 'admin') return 'not_found';
  return v.role === 'engineer' ? 'empty' : 'forbidden';
}

// --- callback cases ---------------------------------------------------------------------------

/** Callback cases are worked by admins, managers and agents; engineers get nothing. */
export const mayWorkCallbacks = (v: Viewer): boolean => v.role !== 'engineer';

/** One callback case, by where it belongs. */
export function canSeeCase(v: Viewer, c: Placement): boolean {
  if (!mayWorkCallbacks(v)) return false;
  return v.role === 'admin' || (!unattributed(c) && inTeamsOrRegions(v, c));
}

/**
 * What a case the viewer cannot see answers: 403 whether it exists or not, so that ids cannot be
 * probed; 404 only for an admin (who sees every case that exists).
 */
export const whenCaseUnseen = (v: Viewer): 'forbidden' | 'not_found' =>
  v.role === 'admin' ? 'not_found' : 'forbidden';

/**
 * Reviewing a complaint's handling (003: 客户服务部经理审查): a manager or an admin, on a case in
 * their scope (canSeeCase); never the agent who handles it.
 */
export const mayReviewCases = (v: Viewer): boolean => v.role === 'admin' || v.role === 'manager';

/** Erasing a customer's personal data everywhere (a data-subject request): the admin only. */
export const mayEraseCustomers = (v: Viewer): boolean => v.role === 'admin';

/** The customer's full phone on a single case: the agent who calls, and the admin. */
export const seesFullPhone = (v: Viewer): boolean => v.role === 'admin' || v.role === 'agent';

/**
 * Which listing partitions a case list covers for the viewer and the filter asked for:
 * - team and region: that team's cases that are also in that region (either in scope suffices);
 * - team alone, region alone: that partition, if in scope;
 * - neither: every team and region of the scope (merged, each case once); for an admin, every
 *   case (`all`, `_unattributed` ones included).
 */
export type CaseListReach =
  | { kind: 'forbidden' }
  | { kind: 'all' }
  | { kind: 'partitions'; teams: string[]; regions: string[]; alsoInRegion?: string };

export function caseListReach(v: Viewer, filter: { team?: string; region?: string }): CaseListReach {
  if (!mayWorkCallbacks(v)) return { kind: 'forbidden' };
  const admin = v.role === 'admin';
  const { team, region } = filter;
  if (!admin && unattributed(filter)) return { kind: 'forbidden' };
  if (team !== undefined && region !== undefined) {
    return canSeeCase(v, { team, region })
      ? { kind: 'partitions', teams: [team], regions: [], alsoInRegion: region }
      : { kind: 'forbidden' };
  }
  if (team !== undefined) {
    return admin || v.teams.includes(team)
      ? { kind: 'partitions', teams: [team], regions: [] }
      : { kind: 'forbidden' };
  }
  if (region !== undefined) {
    return admin || v.regions.includes(region)
      ? { kind: 'partitions', teams: [], regions: [region] }
      : { kind: 'forbidden' };
  }
  if (admin) return { kind: 'all' };
  const scoped = (names: readonly string[]) => [...new Set(names)].filter((n) => n !== UNATTRIBUTED);
  return { kind: 'partitions', teams: scoped(v.teams), regions: scoped(v.regions) };
}
