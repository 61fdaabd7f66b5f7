import type { TicketKind } from '#shared/domain/rules';

/**
 * The kind groups the store standard measures satisfaction by (004 5.2, docs/domain.md section 5):
 * 营业厅客户满意度 (a store visit, `store_service`), 终端营销满意度 (a handset sale, kind
 * `store_sale`), 流量产品及新业务营销满意度 (`new_business`), and every field-service kind (`field`),
 * each held to the same target (`satisfaction.target`). This is the one home of the grouping.
 */
export const kindGroups = ['store_service', 'handset_sale', 'new_business', 'field'] as const;
export type KindGroup = (typeof kindGroups)[number];

/** The groups counted on their own; `field` is the rest (every response minus these). */
export const countedKindGroups = ['store_service', 'handset_sale', 'new_business'] as const;
export type CountedKindGroup = (typeof countedKindGroups)[number];

const groupOfKind: Record<TicketKind, KindGroup> = {
  repair: 'field',
  install: 'field',
  move: 'field',
  removal: 'field',
  activation: 'field',
  inspection: 'field',
  store_sale: 'handset_sale',
  new_business: 'new_business',
  store_service: 'store_service',
};

/** The group a ticket kind is measured in; an unknown kind (never accepted) is `field`. */
export function kindGroupOf(kind: string | undefined): KindGroup {
  return kind !== undefined && Object.hasOwn(groupOfKind, kind) ? groupOfKind[kind as TicketKind] : 'field';
}
