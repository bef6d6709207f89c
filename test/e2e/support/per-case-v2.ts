/**
 * The per-case v2 fixtures the counter-bridge specs share: a case returned before its due day with no
 * return visit (indicators 1 and 3 decided by the facts), and who gives each answer when they are.
 */
export const FACTS_ON_TIME = {
  receivedAt: '2026-11-30T08:00:00+07:00',
  dueAt: '2026-12-04T17:00:00+07:00',
  returnedAt: '2026-12-03T09:30:00+07:00',
  returnVisits: 0,
};

/** Indicators 1 and 3 from the facts, the rest from the citizen. */
export const SOURCES_WITH_FACTS = {
  'tong-thoi-gian': 'system',
  'so-lan-lien-he': 'system',
  'so-co-quan-lien-he': 'citizen',
  'thai-do-can-bo': 'citizen',
  'muc-do-thuan-tien': 'citizen',
  'danh-gia-tong-the': 'citizen',
};
