/** A report request that cannot run, with a message for the person who asked (console and centralctl show it as is). */
export class ReportRequestError extends Error {
  constructor(
    readonly code: 'unknown_unit' | 'not_allowed' | 'bad_range' | 'bad_query',
    message: string,
  ) {
    super(message);
    this.name = 'ReportRequestError';
  }
}

/** Who asks: a console account (its role and unit) or IT at centralctl (null: every unit, officers included). */
export type ReportViewer = { username: string; role: 'province_admin' | 'unit_viewer'; unitId: string | null };
