import { describe, expect, it } from 'vitest';
import { parseScopeList } from '#shared/http/auth';
import { callbackListQuery } from '#shared/http/schemas/callbacks';
import { ticketCompletedSchema } from '#shared/http/schemas/ticket-completed';
import { ticketBody } from '../helpers/fixtures.ts';

const names = ['North Team', 'A, B', 'x#y', '华东，一组', '（南区）二组：夜班', '江西 南昌'];
const completion = (team: string, region = 'R1') =>
  ticketCompletedSchema().safeParse(
    ticketBody({
      completedAt: new Date(Date.now() - 3_600_000).toISOString(),
      engineer: { id: 'E1', name: '王师傅', team, region },
    }),
  );

describe('team and region names: one identifier rule for the webhook and the tokens', () => {
  it.each(names)('the webhook accepts %s as a team and as a region, whole', (name) => {
    const r = completion(name, name);
    expect(r.success && [r.data.engineer.team, r.data.engineer.region]).toEqual([name, name]);
    expect(parseScopeList(JSON.stringify([name]))).toEqual({ ok: true, names: [name] });
  });

  it.each([
    ['a NUL', 'North\u0000Team'],
    ['a newline', 'North\nTeam'],
    ['a right-to-left override', 'North\u202eTeam'],
    ['a zero-width space', 'North\u200bTeam'],
    ['a lone surrogate', 'North\ud83d'],
    ['65 characters', 'x'.repeat(65)],
    ['blanks only', '   '],
  ])('the webhook refuses a team with %s, naming engineer.team; so do tokens', (_, name) => {
    const r = completion(name);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('engineer.team');
    expect(completion('T1', name).error?.issues.map((i) => i.path.join('.'))).toContain('engineer.region');
    expect(parseScopeList(JSON.stringify([name])).ok).toBe(false);
  });

  it('both trim the same way, so a token and a completion name the same team', () => {
    const r = completion('  North Team ');
    expect(r.success && r.data.engineer.team).toBe('North Team');
    expect(parseScopeList('["  North Team "]')).toEqual({ ok: true, names: ['North Team'] });
    expect(callbackListQuery().parse({ team: ' North Team ' }).team).toBe('North Team');
  });

  it('a customer name with a control, bidi or lone surrogate is refused, naming customer.name', () => {
    for (const name of ['王\u0000', '王\u202e五', '王\ud83d']) {
      const r = ticketCompletedSchema().safeParse(
        ticketBody({
          completedAt: new Date(Date.now() - 3_600_000).toISOString(),
          customer: { phone: '13800138000', name },
        }),
      );
      expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['customer.name']);
    }
  });
});
