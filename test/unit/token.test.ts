import { describe, expect, it } from 'vitest';
import { principalFromEvent } from '#shared/http/auth';
import { authorizerClaims } from '../../infra/local/events.ts';
import { mintToken, parseTokenArgs, verifyToken } from '../../infra/local/token.ts';
import { httpEvent } from '../helpers/apigw.ts';

/** The principal the functions see for a local token, through the local JWT authorizer. */
async function principalOf(token: string) {
  const claims = authorizerClaims(await verifyToken(token, 'k'));
  return principalFromEvent(httpEvent({ method: 'GET', path: '/v1/callbacks', claims }));
}

describe('local tokens: ID tokens with teams and regions as JSON arrays', () => {
  it('carry token_use "id" and the lists as JSON array strings', async () => {
    const claims = await verifyToken(
      await mintToken({
        role: 'manager',
        teams: ['North Team', '华东，一组'],
        regions: ['A#B'],
        secret: 'k',
      }),
      'k',
    );
    expect(claims).toMatchObject({
      token_use: 'id',
      role: 'manager',
      teams: '["North Team","华东，一组"]',
      regions: '["A#B"]',
    });
    const admin = await verifyToken(await mintToken({ role: 'admin', secret: 'k' }), 'k');
    expect(admin).toMatchObject({ token_use: 'id', teams: '[]', regions: '[]' });
  });

  it('names with spaces, commas, #, Chinese and full-width punctuation reach the functions whole', async () => {
    const teams = ['North Team', 'A, B', 'x#y', '（南区）二组', '华东，一组'];
    const p = await principalOf(
      await mintToken({ role: 'agent', teams, regions: ['江西 南昌'], secret: 'k' }),
    );
    expect(p).toEqual({ subject: 'local-agent', role: 'agent', teams, regions: ['江西 南昌'] });
  });

  it('--teams T1,T2 (the README form) still gives two teams; a space stays inside a name', () => {
    expect(parseTokenArgs(['--role', 'manager', '--teams', 'T1,T2']).teams).toEqual(['T1', 'T2']);
    expect(parseTokenArgs(['--role', 'manager', '--teams', 'North Team,华东，一组']).teams).toEqual([
      'North Team',
      '华东，一组',
    ]);
  });

  it('--team / --region (repeatable) take one name each, commas and all; JSON arrays too', () => {
    expect(
      parseTokenArgs([
        '--role',
        'manager',
        '--team',
        'A, B',
        '--team',
        'North Team',
        '--region',
        '华东，上海',
      ]),
    ).toMatchObject({ teams: ['A, B', 'North Team'], regions: ['华东，上海'] });
    expect(parseTokenArgs(['--role', 'manager', '--teams', '["A, B","x#y"]']).teams).toEqual(['A, B', 'x#y']);
    expect(parseTokenArgs(['--role', 'manager', '--teams', 'T1', '--team', 'A, B']).teams).toEqual([
      'T1',
      'A, B',
    ]);
  });

  it('refuses what is not a name', () => {
    expect(() => parseTokenArgs(['--role', 'manager', '--teams', 'T1,,T2'])).toThrow(/--teams/);
    // "x, y" is more likely one name with a comma than two names: refused, never guessed
    expect(() => parseTokenArgs(['--role', 'manager', '--teams', 'x, y'])).toThrow(
      /--teams.*ambiguous.*--team NAME/,
    );
    expect(() => parseTokenArgs(['--role', 'manager', '--regions', ' R1'])).toThrow(
      /--regions.*ambiguous.*--region NAME/,
    );
    expect(() => parseTokenArgs(['--role', 'manager', '--teams', '["T1",2]'])).toThrow(/--teams.*JSON array/);
    expect(() => parseTokenArgs(['--role', 'manager', '--teams', '[T1'])).toThrow(/--teams.*JSON array/);
    expect(() => parseTokenArgs(['--role', 'manager', '--team', 'a\u0007b'])).toThrow(/--teams/);
    expect(() => parseTokenArgs(['--role', 'manager', '--region', 'x'.repeat(65)])).toThrow(/--regions/);
  });
});
