import { type LocalizedText, pickText } from '../../../shared/locale.ts';
import type { Grouping, ReportKind } from '../../../shared/reports/query.ts';
import type { AppliedFilters, GroupKey, ResponseCounts } from '../../../shared/reports/result.ts';
import { roundForDisplay } from '../../../shared/reports/formulas.ts';

/** What an empty figure (no answers, no data) shows as, in every table and export format. */
export const NO_DATA = '—';

export const REPORT_TITLES: Record<ReportKind, string> = {
  'per-case': 'Tổng hợp đánh giá việc giải quyết thủ tục hành chính',
  'per-case-list': 'Danh sách đánh giá việc giải quyết thủ tục hành chính',
  sipas: 'Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)',
  quick: 'Mức độ hài lòng (phiếu đánh giá nhanh)',
  comments: 'Ý kiến góp ý của người dân, tổ chức',
  invitations: 'Lời mời đánh giá việc giải quyết hồ sơ: đã gửi, đã trả lời, hết hạn',
};

export const GROUPING_LABELS: Record<Grouping, string> = {
  unit: 'Đơn vị',
  field: 'Lĩnh vực',
  procedure: 'Thủ tục',
  officer: 'Cán bộ',
  counter: 'Quầy',
  month: 'Tháng',
  quarter: 'Quý',
  version: 'Phiên bản bộ câu hỏi',
};

const pad = (n: number): string => String(n).padStart(2, '0');

/** 2026-10-01 → 01/10/2026 (Vietnamese order). */
export const viDay = (isoDay: string): string => {
  const [y, m, d] = isoDay.split('-');
  return `${d}/${m}/${y}`;
};

/** An instant as Vietnam's wall clock (fixed UTC+7, no daylight saving): dd/MM/yyyy HH:mm. */
export const viTime = (iso: string): string => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t + 7 * 3_600_000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};

/** A group's value for one grouping: its name and id ("Xã Hải Long (xa-hai-long)"), or the id alone. */
export const groupCell = (key: GroupKey, labels: Partial<Record<Grouping, string>>, g: Grouping): string => {
  const id = key[g] ?? '';
  const label = labels[g];
  return label && label !== id ? `${label} (${id})` : id;
};

const MAX_UNITS_NAMED = 20;

/** A unit as the console names it: "Xã Hải Long (xa-hai-long)", or the id alone when it has no name. */
const unitName = (f: AppliedFilters, id: string): string => {
  const name = f.unitNames[id];
  return name && name !== id ? `${name} (${id})` : id;
};

const unitLine = (f: AppliedFilters): string => {
  const scope =
    f.unit === null
      ? 'tất cả đơn vị được xem'
      : `${unitName(f, f.unit)}${f.withSubunits ? ' và các đơn vị trực thuộc' : ''}`;
  const named = f.units
    .slice(0, MAX_UNITS_NAMED)
    .map((id) => unitName(f, id))
    .join(', ');
  const more = f.units.length > MAX_UNITS_NAMED ? `, … (${f.units.length} đơn vị)` : '';
  return `Đơn vị: ${scope}${f.units.length > 0 ? ` — gồm: ${named}${more}` : ''}`;
};

const filterLine = (f: AppliedFilters): string => {
  const parts: string[] = [];
  if (f.field) parts.push(`lĩnh vực ${f.field}`);
  if (f.procedure) parts.push(`thủ tục ${f.procedure}`);
  if (f.officer) parts.push(`cán bộ ${f.officer}`);
  if (f.counter) parts.push(`quầy ${f.counter}`);
  if (f.questionnaire)
    parts.push(`phiếu ${f.questionnaire}${f.version !== undefined ? ` phiên bản ${f.version}` : ''}`);
  else if (f.version !== undefined) parts.push(`phiên bản ${f.version}`);
  if (f.search) parts.push(`tìm "${f.search}"`);
  return `Lọc theo: ${parts.length > 0 ? parts.join('; ') : 'không'}`;
};

/** The rows above every table: what, where, when, which filters, when generated, notes. */
export const titleRows = (
  report: ReportKind,
  filters: AppliedFilters,
  generatedAt: string,
  notes: LocalizedText[],
): string[] => [
  REPORT_TITLES[report],
  unitLine(filters),
  `Kỳ báo cáo: từ ngày ${viDay(filters.from)} đến ngày ${viDay(filters.to)}`,
  filterLine(filters),
  ...(filters.by.length > 0 ? [`Nhóm theo: ${filters.by.map((g) => GROUPING_LABELS[g]).join(', ')}`] : []),
  `Phản hồi bị gắn cờ (trả lời lặp nhanh, đồng hồ nghi sai, đánh giá lặp lại hồ sơ): ${filters.includeFlagged ? 'có tính' : 'không tính'} vào số liệu`,
  `Thời điểm lập báo cáo: ${viTime(generatedAt)} (giờ Việt Nam, UTC+7)`,
  // The title rows are Vietnamese, so are the notes under them.
  ...notes.map((n) => `Ghi chú: ${pickText(n, 'vi')}`),
];

export const countsLine = (t: ResponseCounts, decimals: number): string => {
  const rate =
    t.completionPercent === null ? NO_DATA : `${roundForDisplay(t.completionPercent, decimals).toFixed(decimals)}%`;
  return `Tổng số phiếu tính vào số liệu: ${t.n}; hoàn thành ${t.complete}; bỏ dở ${t.abandoned}; tỷ lệ hoàn thành ${rate}; bị gắn cờ ${t.flagged}`;
};
