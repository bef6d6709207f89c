import { type LocalizedText, pickText } from '../../../shared/locale.ts';
import { roundForDisplay } from '../../../shared/reports/formulas.ts';
import type { ReportQuery } from '../../../shared/reports/query.ts';
import type { Band } from '../../../shared/reports/result.ts';
import type { ReportSettings } from '../../../shared/reports/settings.ts';

/**
 * Every note a report carries, in Vietnamese (what the print layout and the exports show, in the
 * register of an administrative report) and English (the console in English). One place, so the two
 * languages stay in step.
 */
const note = (vi: string, en: string): LocalizedText => ({ vi, en });

/** 2026-10-01 → 01/10/2026. */
const viDay = (isoDay: string): string => isoDay.split('-').reverse().join('/');
/** A figure as Vietnamese writes it: decimal comma. */
const viNumber = (x: number): string => String(x).replace('.', ',');
const viDecimals = (d: number): string => `${d} chữ số thập phân`;
/** "2026-Q1" → "quý 1/2026". */
const viQuarter = (q: { year: number; quarter: number }): string => `quý ${q.quarter}/${q.year}`;
const enQuarter = (q: { year: number; quarter: number }): string => `${q.year}-Q${q.quarter}`;

export const periodNote = (q: ReportQuery): LocalizedText =>
  note(
    `Kỳ báo cáo từ ngày ${viDay(q.from)} đến ngày ${viDay(q.to)}, tính theo thời điểm người đánh giá gửi phiếu, giờ Việt Nam (UTC+7).`,
    `Period ${q.from} to ${q.to}, by the respondent's time of submitting in Asia/Ho_Chi_Minh (UTC+7).`,
  );

export const flaggedNote = (q: ReportQuery): LocalizedText =>
  q.includeFlagged
    ? note(
        'Phiếu bị gắn cờ (trả lời lặp nhanh, đồng hồ thiết bị nghi sai, đánh giá lặp lại một hồ sơ) được tính vào số liệu theo yêu cầu.',
        'Flagged responses (rapid repeat, clock suspect, repeat evaluation of a case) are included in the figures, as asked.',
      )
    : note(
        'Phiếu bị gắn cờ (trả lời lặp nhanh, đồng hồ thiết bị nghi sai, đánh giá lặp lại một hồ sơ) được thống kê riêng và không tính vào số liệu.',
        'Flagged responses (rapid repeat, clock suspect, repeat evaluation of a case) are counted apart ("flagged") and left out of every figure.',
      );

export const abandonedNote = (): LocalizedText =>
  note(
    'Câu trả lời của phiếu bỏ dở không được tính vào số liệu; tỷ lệ hoàn thành = số phiếu hoàn thành / (số phiếu hoàn thành + số phiếu bỏ dở) × 100.',
    'Answers of abandoned responses are not in the figures; completion = complete / (complete + abandoned) × 100.',
  );

export const splitQuestionsNote = (keys: readonly string[]): LocalizedText =>
  note(
    `Các câu hỏi sau đã thay đổi giữa các phiên bản phiếu nên được tổng hợp riêng theo từng phiên bản (mã câu hỏi@v<phiên bản>): ${keys.join(', ')}.`,
    `Changed between questionnaire versions, so reported apart per version as id@v<version>: ${keys.join(', ')}.`,
  );

export const unknownVersionsNote = (versions: readonly string[]): LocalizedText =>
  note(
    `Phiên bản phiếu không xác định (phiếu vẫn được đếm, câu trả lời không được tính): ${versions.join(', ')}.`,
    `Unknown questionnaire versions (responses counted, answers left out): ${versions.join(', ')}.`,
  );

export const listSplitIndicatorsNote = (indicators: readonly number[]): LocalizedText =>
  note(
    `Chỉ số ${indicators.join(', ')} đã thay đổi giữa các phiên bản phiếu trong danh sách: không cộng cột và không tính điểm bình quân tổng; đề nghị lọc theo một phiên bản để xem các chỉ số này.`,
    `Indicator(s) ${indicators.join(', ')} changed between the questionnaire versions listed: their columns are not summed and no mean total is given; filter one version for them.`,
  );

export const sipasNote = (s: ReportSettings): LocalizedText =>
  note(
    `SIPAS (công thức chính thức theo Quyết định 1001/QĐ-BNV chưa được công bố; đây là cách tính mặc định nêu trong tài liệu): chỉ số của một câu hỏi = tỷ lệ câu trả lời từ mức ${s.satisfiedFrom.satisfaction5} trở lên trên thang 5 mức trong tổng số câu trả lời hợp lệ; chỉ số của một yếu tố = bình quân chỉ số các câu hỏi có câu trả lời thuộc yếu tố đó; chỉ số chung = bình quân chỉ số các yếu tố có số liệu.`,
    `SIPAS (the national formula of Quyết định 1001/QĐ-BNV is not published; this is the documented default): a question's index = share of answers at ${s.satisfiedFrom.satisfaction5} or above on the five-level scale among valid answers; an element's index = mean of its questions' indices over questions with answers; the overall index = mean of the element indices with data.`,
  );

export const quickNote = (s: ReportSettings): LocalizedText =>
  note(
    `Phiếu đánh giá nhanh: tỷ lệ hài lòng = tỷ lệ câu trả lời từ mức ${s.satisfiedFrom.satisfaction5} trở lên (thang 5 mức) hoặc từ mức ${s.satisfiedFrom.satisfaction3} trở lên (thang 3 mức) trong tổng số câu trả lời hợp lệ; lý do được đếm theo từng lựa chọn (một người có thể chọn nhiều lý do), nên số hợp lệ của lý do là số lượt chọn, không phải số người.`,
    `Quick: satisfied share = answers at ${s.satisfiedFrom.satisfaction5} or above (five levels) or ${s.satisfiedFrom.satisfaction3} or above (three levels) among valid answers; reasons are counted per option chosen (one respondent may choose several), so their "valid" counts choices, not respondents.`,
  );

type Quarter = { year: number; quarter: number };

export const unitEntryNote = (
  unit: string,
  indicator: number,
  verified: boolean,
  used: readonly Quarter[],
): LocalizedText =>
  note(
    `Đơn vị "${unit}", chỉ số ${indicator}: lấy từ điểm ${verified ? 'đã thẩm định' : 'tự đánh giá'} do đơn vị nhập (${used.map(viQuarter).join(', ')}).`,
    `Unit "${unit}", indicator ${indicator}: from its ${verified ? 'verified' : 'self-assessed'} entries (${used.map(enQuarter).join(', ')}).`,
  );

export const unitEntryMissingNote = (unit: string, indicator: number, missing: readonly Quarter[]): LocalizedText =>
  note(
    `Đơn vị "${unit}", chỉ số ${indicator}: chưa có số liệu ${missing.map(viQuarter).join(', ')}; điểm bình quân tính trên các quý đã có số liệu.`,
    `Unit "${unit}", indicator ${indicator}: no entry for ${missing.map(enQuarter).join(', ')}; the mean is over the quarters that have one.`,
  );

export const rankNote = (s: ReportSettings): LocalizedText =>
  note(
    `Xếp hạng: theo tổng điểm từ cao xuống thấp (1, 2, 2, 4); các tổng điểm bằng nhau ${s.rankTiesOn === 'rounded' ? `khi làm tròn đến ${viDecimals(s.decimals)}` : 'tuyệt đối'} thì đồng hạng; nhóm không có số liệu không được xếp hạng.`,
    `Rank: competition ranking by total, highest first (1, 2, 2, 4); totals equal ${s.rankTiesOn === 'rounded' ? `when shown at ${s.decimals} decimal(s)` : 'exactly'} share a rank; groups without data are not ranked.`,
  );

export const perCaseNote = (s: ReportSettings, bands: readonly Band[]): LocalizedText => {
  const min = (b: Band) => roundForDisplay(b.min, s.decimals);
  return note(
    `Đánh giá theo hồ sơ: điểm bình quân của mỗi chỉ số = tổng điểm / số câu trả lời hợp lệ (0–2); tổng điểm = tổng điểm bình quân các chỉ số (tối đa 2 điểm mỗi chỉ số, 18 điểm với 9 chỉ số); xếp loại theo tổng điểm làm tròn đến ${viDecimals(s.decimals)}: ${bands.map((b) => `${pickText(b.label, 'vi')} từ ${viNumber(min(b))} điểm`).join(', ')}; ${s.partialTotals === 'scaled' ? 'tổng điểm trên ít hơn 9 chỉ số được quy về thang 18 (tổng × 18 / điểm tối đa) trước khi xếp loại' : 'tổng điểm trên ít hơn 9 chỉ số không được xếp loại'}.`,
    `Per-case: each indicator's mean = points / valid answers (0-2); total = sum of the indicator means (at most 2 per indicator, 18 for nine); band by the total rounded to ${s.decimals} decimal(s): ${bands.map((b) => `${pickText(b.label, 'en')} from ${min(b)}`).join(', ')}; ${s.partialTotals === 'scaled' ? 'a total over fewer than 9 indicators is put on the 18-point scale (total × 18 / its maximum) before it is graded' : 'a total over fewer than 9 indicators is not graded'}.`,
  );
};

export const unitLevelNote = (indicators: readonly number[]): LocalizedText =>
  note(
    `Các chỉ số ${indicators.join(', ')} phản ánh đơn vị: trong nhóm là một đơn vị, các chỉ số này lấy từ số liệu đơn vị nhập cho các quý thuộc kỳ báo cáo (điểm đã thẩm định, nếu chưa có thì điểm tự đánh giá; bình quân qua các quý đó) nếu có; bảng chỉ số ghi rõ nguồn của từng số liệu.`,
    `Indicators ${indicators.join(', ')} describe the unit: in a group that is one unit they come from the unit's entries for the quarters the period touches (verified points, else self-assessed; the mean over those quarters) where there are any; "source" says which.`,
  );

export const indicatorSplitNote = (): LocalizedText =>
  note(
    'Câu hỏi của một chỉ số đã thay đổi giữa các phiên bản phiếu nên các phiên bản được trình bày riêng và không tính tổng điểm; đề nghị lọc theo một phiên bản hoặc nhóm theo phiên bản bộ câu hỏi để có tổng điểm.',
    'An indicator question changed between versions, so its versions are shown apart and no total is given; filter one version, or group by questionnaire version, for a total.',
  );

export const notDrainedNote = (batches: number): LocalizedText =>
  note(
    `${batches} lô phiếu đã lưu nhưng chưa được đưa vào bảng số liệu báo cáo (việc bổ sung vừa gặp lỗi; nhật ký máy chủ ghi rõ nguyên nhân và hệ thống sẽ tự thử lại): số liệu này chưa gồm các lô đó.`,
    `${batches} batch(es) stored but not yet added to the report tables (adding them failed just now; the server log says why and it is retried): these figures leave them out.`,
  );
