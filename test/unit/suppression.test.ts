import { describe, expect, it } from 'vitest';
import { parseRules } from '#shared/domain/rules';
import {
  recentlySurveyed,
  staticSuppression,
  suppressionAtSend,
  suppressionFor,
} from '#shared/domain/suppression';

const rules = parseRules(
  JSON.stringify({ survey: { kinds: ['repair'], staffPhones: ['13800000000'], fatigueHours: 24 } }),
);
const ticket = (over: Partial<{ kind: 'repair' | 'install'; phone: string }> = {}) => ({
  kind: over.kind ?? 'repair',
  customer: { phone: over.phone ?? '+8613912345678' },
});
const at = new Date('2026-11-20T08:00:00Z');
const hoursBefore = (h: number) => new Date(at.getTime() - h * 3_600_000).toISOString();

describe('suppression decided from the completion alone', () => {
  it('suppresses a kind of work that is not surveyed, before anything else', () => {
    expect(staticSuppression(ticket({ kind: 'install', phone: '+8613800000000' }), rules)).toBe(
      'kind_not_surveyed',
    );
  });
  it('suppresses a staff phone, however it was written in the rules', () => {
    expect(staticSuppression(ticket({ phone: '+8613800000000' }), rules)).toBe('staff_phone');
  });
  it('lets any other completion through', () => {
    expect(staticSuppression(ticket(), rules)).toBeUndefined();
  });
});

describe('fatigue', () => {
  it('holds within fatigueHours of the last survey, not from then on', () => {
    expect(recentlySurveyed({ lastSurveyedAt: hoursBefore(23.9) }, at, rules)).toBe(true);
    expect(recentlySurveyed({ lastSurveyedAt: hoursBefore(24) }, at, rules)).toBe(false);
    expect(recentlySurveyed({}, at, rules)).toBe(false);
  });
});

describe('suppression when planned', () => {
  it('puts the fixed reasons first, then the opt-out, then fatigue', () => {
    const phone = { optedOut: true, lastSurveyedAt: hoursBefore(1) };
    expect(suppressionFor(ticket({ kind: 'install' }), phone, at, rules)).toBe('kind_not_surveyed');
    expect(suppressionFor(ticket(), phone, at, rules)).toBe('opted_out');
    expect(suppressionFor(ticket(), { lastSurveyedAt: hoursBefore(1) }, at, rules)).toBe('recently_surveyed');
    expect(suppressionFor(ticket(), { lastSurveyedAt: hoursBefore(30) }, at, rules)).toBeUndefined();
  });
});

describe('suppression when about to be sent', () => {
  it('suppresses an opted-out phone, even for the survey holding it', () => {
    expect(suppressionAtSend({ optedOut: true, openSurveyId: 's1' }, 's1', at, rules)).toBe('opted_out');
  });
  it('suppresses for fatigue unless the survey itself holds the phone', () => {
    const phone = { lastSurveyedAt: hoursBefore(1), openSurveyId: 's1' };
    expect(suppressionAtSend(phone, 's2', at, rules)).toBe('recently_surveyed');
    expect(suppressionAtSend(phone, 's1', at, rules)).toBeUndefined();
  });
});
