import type { Principal } from '#shared/auth';
import { config } from '#shared/config';
import { type AggregateItem, type Counts, counters, queryAggregates } from '#shared/entities/aggregate';
import type { Period } from '#shared/time';

export interface EngineerFigures extends Counts {
  engineerId: string;
  name: string;
  team: string;
  region: string;
  satisfactionRate: number | null;
}

export interface EngineerReport {
  period: { id: string; from: string; to: string };
  engineers: EngineerFigures[];
}

/** Which engineers' figures a principal may see (domain.md section 1: engineers see only their own). */
export function canSee(p: Principal, a: { engineerId: string; team: string; region: string }): boolean {
  switch (p.role) {
    case 'admin':
      return true;
    case 'manager':
    case 'agent':
      return p.teams.includes(a.team) || p.regions.includes(a.region);
    case 'engineer':
      return p.engineerId !== undefined && p.engineerId === a.engineerId;
  }
}

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/** Sums daily aggregates into per-engineer figures (rates per domain.md section 5). */
export function summarise(items: AggregateItem[]): EngineerFigures[] {
  const byEngineer = new Map<string, { latestDay: string; f: EngineerFigures }>();
  for (const it of items) {
    let entry = byEngineer.get(it.engineerId);
    if (!entry) {
      const zero = Object.fromEntries(counters.map((c) => [c, 0])) as Counts;
      entry = {
        latestDay: '',
        f: { engineerId: it.engineerId, name: '', team: '', region: '', ...zero, satisfactionRate: null },
      };
      byEngineer.set(it.engineerId, entry);
    }
    if (it.day >= entry.latestDay) {
      entry.latestDay = it.day;
      entry.f.name = it.engineerName;
      entry.f.team = it.team;
      entry.f.region = it.region;
    }
    for (const c of counters) entry.f[c] += it[c] ?? 0;
  }
  const satisfied = config.rules.satisfaction.satisfiedRatings;
  return [...byEngineer.values()]
    .map(({ f }) => {
      const sat =
        (satisfied.includes(1) ? f.satisfied : 0) +
        (satisfied.includes(2) ? f.basicallySatisfied : 0) +
        (satisfied.includes(3) ? f.dissatisfied : 0);
      return { ...f, satisfactionRate: ratio(sat, f.responses) };
    })
    .sort((a, b) => a.engineerId.localeCompare(b.engineerId));
}

export async function engineerReport(principal: Principal, period: Period): Promise<EngineerReport> {
  const items = await queryAggregates(period.days);
  const visible = items.filter((it) => canSee(principal, it));
  return {
    period: { id: period.id, from: period.from, to: period.to },
    engineers: summarise(visible),
  };
}
