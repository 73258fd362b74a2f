import type { Locale } from '../../i18n.ts'
import type { Ok } from '../../ui/api.ts'
import type { paths } from '../../ui/api-types.ts'

type JobStatus = Ok<'/api/v1/imports/{id}', 'get'>['status']
/** The exports the server offers: one without a name here does not compile. */
export type ExportKind = paths['/api/v1/exports/{kind}']['get']['parameters']['path']['kind']

const zhCN = {
  title: '导入与导出',
  importTitle: '导入会员',
  importHint:
    'CSV 文件，UTF-8 或 GB18030（Excel「CSV (逗号分隔)」），第一行是列名，如 姓名、手机号、会员编号、生日、标签、积分。文件最大 50 MB。',
  file: '会员 CSV 文件',
  onExisting: '已有会员',
  onExistingChoice: { update: '用文件里填写的内容更新', skip: '保持不变' } as Record<
    'update' | 'skip',
    string
  >,
  check: '先检查文件（不写入）',
  checking: '正在检查…',
  dryRun: (p: { rows: string; created: string; updated: string; unchanged: string }) =>
    `共 ${p.rows} 行：将新建 ${p.created} 位会员，更新 ${p.updated} 位，${p.unchanged} 位不变。`,
  refusedTitle: (p: { count: string }) => `${p.count} 行不会导入`,
  noneRefused: '每一行都可以导入。',
  warningsTitle: (p: { count: string }) => `${p.count} 条提醒`,
  line: '行号',
  column: '列',
  reason: '原因',
  /** A refused row's reason by the server's code; the server's own words follow with the detail. */
  reasons: {
    wrong_cell_count: '格数与列名不符',
    invalid_value: '内容无法识别',
    missing_identifier: '缺少可识别会员的列（会员编号、手机号、会员码等）',
    unknown_column: '未知的列，已忽略',
    duplicate_in_file: '与文件里前面的一行重复',
    malformed_csv: 'CSV 格式有误',
    conflict: '与已有会员冲突',
    missing_name: '新会员必须填写姓名',
    member_inactive: '会员已停用或注销',
    note: '提醒',
  } as Record<string, string>,
  start: (p: { rows: string }) => `导入 ${p.rows} 行`,
  progressTitle: '导入进度',
  status: {
    queued: '排队中',
    running: '导入中',
    done: '已完成',
    failed: '失败',
    cancelled: '已取消',
  } as Record<JobStatus, string>,
  progress: (p: { read: string; total: string }) => `已读 ${p.read} / ${p.total} 行`,
  result: (p: { created: string; updated: string; unchanged: string; failed: string }) =>
    `新建 ${p.created}，更新 ${p.updated}，不变 ${p.unchanged}，未导入 ${p.failed}`,
  exportsTitle: '导出 CSV',
  exportsHint: '带 BOM 的 UTF-8，Excel 可直接打开；会员文件可以原样再导入。',
  exportKind: { members: '会员', ledger: '积分流水', orders: '订单' } as Record<
    ExportKind,
    string
  >,
}

type Texts = typeof zhCN

const en: Texts = {
  title: 'Import and export',
  importTitle: 'Import members',
  importHint:
    'A CSV file, UTF-8 or GB18030 (Excel’s “CSV (comma delimited)”), whose first line names the columns, such as name, phone, external_id, birthday, tags, points. At most 50 MB.',
  file: 'Member CSV file',
  onExisting: 'Existing members',
  onExistingChoice: { update: 'Update with what the file states', skip: 'Leave unchanged' },
  check: 'Check the file first (writes nothing)',
  checking: 'Checking…',
  dryRun: (p) =>
    `${p.rows} rows: ${p.created} members would be created, ${p.updated} updated, ${p.unchanged} unchanged.`,
  refusedTitle: (p) => `${p.count} rows will not be imported`,
  noneRefused: 'Every row can be imported.',
  warningsTitle: (p) => `${p.count} warnings`,
  line: 'Line',
  column: 'Column',
  reason: 'Reason',
  reasons: {
    wrong_cell_count: 'Cells do not match the header',
    invalid_value: 'A value cannot be read',
    missing_identifier: 'No column that finds the member (external_id, phone, code…)',
    unknown_column: 'Unknown column, ignored',
    duplicate_in_file: 'Repeats an earlier row of the file',
    malformed_csv: 'Malformed CSV',
    conflict: 'Conflicts with an existing member',
    missing_name: 'A new member needs a name',
    member_inactive: 'The member is deactivated or erased',
    note: 'Note',
  },
  start: (p) => `Import ${p.rows} rows`,
  progressTitle: 'Import progress',
  status: {
    queued: 'queued',
    running: 'importing',
    done: 'done',
    failed: 'failed',
    cancelled: 'cancelled',
  },
  progress: (p) => `${p.read} of ${p.total} rows read`,
  result: (p) =>
    `${p.created} created, ${p.updated} updated, ${p.unchanged} unchanged, ${p.failed} not imported`,
  exportsTitle: 'Export CSV',
  exportsHint: 'UTF-8 with a BOM, so Excel opens it as it is; the members file imports back.',
  exportKind: { members: 'Members', ledger: 'Points ledger', orders: 'Orders' },
}

export const DATA_TEXTS: Record<Locale, Texts> = { 'zh-CN': zhCN, en }
