import { describe, expect, it } from 'vitest';
import {
  canSeeCase,
  canSeeFigures,
  caseListReach,
  mayAskForEngineer,
  mayEraseCustomers,
  maySeeRollups,
  mayWorkCallbacks,
  reportReach,
  seesFullPhone,
  type Viewer,
  whenCaseUnseen,
  whenEngineerUnseen,
} from '#shared/domain/access';

/** Who may see what (shared/domain/access.ts): pure, no table. */
const admin: Viewer = { role: 'admin', teams: [], regions: [] };
const manager: Viewer = { role: 'manager', teams: ['North Team', '华东，一组'], regions: [] };
const agent: Viewer = { role: 'agent', teams: ['A#B'], regions: ['South, East'] };
const regional: Viewer = { role: 'manager', teams: [], regions: ['East'] };
const engineer: Viewer = { role: 'engineer', teams: ['North Team'], regions: ['East'], engineerId: 'E1' };
const anonymousEngineer: Viewer = { role: 'engineer', teams: [], regions: [] };
const unscoped: Viewer = { role: 'agent', teams: [], regions: [] };

const row = (team: string, region = 'Elsewhere', engineerId = 'E9') => ({ engineerId, team, region });

describe('figures (canSeeFigures)', () => {
  it('admin sees every engineer', () => {
    expect(canSeeFigures(admin, row('any', 'any'))).toBe(true);
  });

  it('a manager or agent sees what is counted under a team or region of the scope', () => {
    expect(canSeeFigures(manager, row('North Team'))).toBe(true);
    expect(canSeeFigures(manager, row('华东，一组'))).toBe(true);
    expect(canSeeFigures(agent, row('other', 'South, East'))).toBe(true);
    expect(canSeeFigures(regional, row('any team', 'East'))).toBe(true);
    expect(canSeeFigures(regional, row('any team', 'West'))).toBe(false);
  });

  it('team names are compared whole: spaces, commas and # are part of the name', () => {
    for (const near of [
      'North',
      'Team',
      'North#Team',
      'north team',
      'North Team ',
      '华东',
      '一组',
      '华东,一组',
    ]) {
      expect(canSeeFigures(manager, row(near))).toBe(false);
    }
    expect(canSeeFigures(agent, row('A#B'))).toBe(true);
    expect(canSeeFigures(agent, row('A'))).toBe(false);
    expect(canSeeFigures(agent, row('B'))).toBe(false);
    // a region with a comma is one name, not two
    expect(canSeeFigures(agent, row('x', 'South'))).toBe(false);
    expect(canSeeFigures(agent, row('x', 'East'))).toBe(false);
  });

  it('an engineer sees only their own figures, whatever teams or regions the token carries', () => {
    expect(canSeeFigures(engineer, row('North Team', 'East', 'E1'))).toBe(true);
    expect(canSeeFigures(engineer, row('elsewhere', 'elsewhere', 'E1'))).toBe(true);
    expect(canSeeFigures(engineer, row('North Team', 'East', 'E2'))).toBe(false);
    expect(canSeeFigures(anonymousEngineer, row('North Team', 'East', 'E1'))).toBe(false);
  });
});

describe('reports', () => {
  it('rollups are for everyone but engineers', () => {
    expect([admin, manager, agent, regional, unscoped].every(maySeeRollups)).toBe(true);
    expect(maySeeRollups(engineer)).toBe(false);
  });

  it('reads as narrowly as the scope allows', () => {
    expect(reportReach(admin)).toEqual({ kind: 'all' });
    expect(reportReach(regional)).toEqual({ kind: 'all' });
    expect(reportReach(agent)).toEqual({ kind: 'all' });
    expect(reportReach(manager)).toEqual({ kind: 'teams', teams: ['North Team', '华东，一组'] });
    expect(reportReach(unscoped)).toEqual({ kind: 'teams', teams: [] });
    expect(reportReach(engineer)).toEqual({ kind: 'engineer', engineerId: 'E1' });
    expect(reportReach(anonymousEngineer)).toEqual({ kind: 'engineer' });
  });

  it("one engineer's detail: an engineer only for themself, a scoped role only with a scope", () => {
    expect(mayAskForEngineer(admin, 'E2')).toBe(true);
    expect(mayAskForEngineer(engineer, 'E1')).toBe(true);
    expect(mayAskForEngineer(engineer, 'E2')).toBe(false);
    expect(mayAskForEngineer(anonymousEngineer, 'E1')).toBe(false);
    expect(mayAskForEngineer(manager, 'E2')).toBe(true);
    expect(mayAskForEngineer(regional, 'E2')).toBe(true);
    expect(mayAskForEngineer(unscoped, 'E2')).toBe(false);
  });

  it('nothing visible: 404 for an admin, 403 for a scoped role, empty figures for an engineer', () => {
    expect(whenEngineerUnseen(admin)).toBe('not_found');
    expect(whenEngineerUnseen(manager)).toBe('forbidden');
    expect(whenEngineerUnseen(agent)).toBe('forbidden');
    expect(whenEngineerUnseen(engineer)).toBe('empty');
  });
});

describe('callback cases', () => {
  const inNorth = { team: 'North Team', region: 'West' };

  it('engineers work no cases, whatever their token carries', () => {
    expect(mayWorkCallbacks(engineer)).toBe(false);
    expect(canSeeCase(engineer, { team: 'North Team', region: 'East' })).toBe(false);
    expect(caseListReach(engineer, { team: 'North Team' })).toEqual({ kind: 'forbidden' });
    expect(caseListReach(engineer, {})).toEqual({ kind: 'forbidden' });
  });

  it('admin sees every case; a manager or agent the cases of their teams or regions', () => {
    expect(canSeeCase(admin, inNorth)).toBe(true);
    expect(canSeeCase(manager, inNorth)).toBe(true);
    expect(canSeeCase(manager, { team: 'North', region: 'West' })).toBe(false);
    expect(canSeeCase(manager, { team: 'North#Team', region: 'West' })).toBe(false);
    expect(canSeeCase(agent, { team: 'A#B', region: 'x' })).toBe(true);
    expect(canSeeCase(agent, { team: 'x', region: 'South, East' })).toBe(true);
    expect(canSeeCase(agent, { team: 'x', region: 'South' })).toBe(false);
    expect(canSeeCase(unscoped, inNorth)).toBe(false);
  });

  it('a case out of sight answers 403 to all but an admin (ids cannot be probed)', () => {
    expect(whenCaseUnseen(admin)).toBe('not_found');
    expect(whenCaseUnseen(manager)).toBe('forbidden');
    expect(whenCaseUnseen(agent)).toBe('forbidden');
  });

  it('only the admin erases a customer', () => {
    expect(mayEraseCustomers(admin)).toBe(true);
    for (const v of [manager, agent, engineer]) expect(mayEraseCustomers(v)).toBe(false);
  });

  it('only the agent and the admin see the full phone', () => {
    expect(seesFullPhone(admin)).toBe(true);
    expect(seesFullPhone(agent)).toBe(true);
    expect(seesFullPhone(manager)).toBe(false);
    expect(seesFullPhone(engineer)).toBe(false);
  });

  it('a list without filter covers the scope; for an admin, every case', () => {
    expect(caseListReach(admin, {})).toEqual({ kind: 'all' });
    expect(caseListReach(manager, {})).toEqual({
      kind: 'partitions',
      teams: ['North Team', '华东，一组'],
      regions: [],
    });
    expect(caseListReach({ ...agent, teams: ['A#B', 'A#B'] }, {})).toEqual({
      kind: 'partitions',
      teams: ['A#B'],
      regions: ['South, East'],
    });
  });

  it('a list by team or region must be in scope, names compared whole', () => {
    expect(caseListReach(admin, { team: 'any' })).toEqual({
      kind: 'partitions',
      teams: ['any'],
      regions: [],
    });
    expect(caseListReach(admin, { region: 'any' })).toEqual({
      kind: 'partitions',
      teams: [],
      regions: ['any'],
    });
    expect(caseListReach(manager, { team: 'North Team' })).toEqual({
      kind: 'partitions',
      teams: ['North Team'],
      regions: [],
    });
    expect(caseListReach(manager, { team: 'North' })).toEqual({ kind: 'forbidden' });
    expect(caseListReach(manager, { region: 'West' })).toEqual({ kind: 'forbidden' });
    expect(caseListReach(agent, { region: 'South, East' })).toEqual({
      kind: 'partitions',
      teams: [],
      regions: ['South, East'],
    });
    expect(caseListReach(agent, { region: 'South' })).toEqual({ kind: 'forbidden' });
    expect(caseListReach(agent, { team: 'A' })).toEqual({ kind: 'forbidden' });
  });

  it("team and region together: the team's cases in that region, if either is in scope", () => {
    expect(caseListReach(manager, { team: 'North Team', region: 'West' })).toEqual({
      kind: 'partitions',
      teams: ['North Team'],
      regions: [],
      alsoInRegion: 'West',
    });
    expect(caseListReach(regional, { team: 'Other Team', region: 'East' })).toEqual({
      kind: 'partitions',
      teams: ['Other Team'],
      regions: [],
      alsoInRegion: 'East',
    });
    expect(caseListReach(regional, { team: 'Other Team', region: 'West' })).toEqual({ kind: 'forbidden' });
  });
});
