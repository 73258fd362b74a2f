import { DateTime } from 'luxon'
import { renderProgrammeChart } from '../../charts/programme-chart.ts'
import type { Locale } from '../../domain/programme/programme.ts'
import type { ProgrammeReport, WeeklyRow } from '../../domain/reports/reports.ts'
import { yuan } from './format.ts'
import { t } from './i18n.ts'
import type { Reply } from './messages.ts'
import type { Turn } from './turn.ts'

/** Weeks on the /stats chart: a quarter, enough to see a trend, few enough to read the labels. */
const CHART_WEEKS = 12

const rate = (value: number | null) => (value === null ? '—' : `${value}%`)

export function statsText(locale: Locale, report: ProgrammeReport): string {
  const lastDay = DateTime.fromISO(report.period.toDay).minus({ days: 1 }).toISODate()!
  const { members, sales, activity, points, satisfaction } = report
  return t(locale, 'stats.report', {
    from: report.period.fromDay,
    to: lastDay,
    members: members.atEnd,
    new: members.new,
    newRate: rate(members.newMemberRate),
    share: rate(sales.memberShare),
    memberSales: yuan(sales.memberSales),
    totalSales: yuan(sales.memberSales + sales.guestSales),
    active: activity.active,
    activityRate: rate(activity.activityRate),
    churnRate: rate(report.churn.churnRate),
    repeatRate: rate(report.repeat.repeatRate),
    issued: points.issued,
    redeemed: points.redeemed,
    expired: points.expired,
    outstanding: points.outstanding,
    satisfaction: satisfaction.average === null ? '—' : `${satisfaction.average}/7`,
    responses: satisfaction.responses,
  })
}

export function statsChart(locale: Locale, report: ProgrammeReport, weeks: WeeklyRow[]): Buffer {
  return renderProgrammeChart({
    labels: {
      weekly: t(locale, 'chart.weekly'),
      members: t(locale, 'chart.members'),
      memberSales: t(locale, 'chart.memberSales'),
      guestSales: t(locale, 'chart.guestSales'),
      segments: t(locale, 'chart.segments'),
    },
    weeks: weeks.map((week) => ({
      label: DateTime.fromISO(week.week).toFormat('M/d'),
      members: week.members,
      memberSales: week.memberSales / 100,
      guestSales: week.guestSales / 100,
    })),
    segments: report.segments.lifecycle.map((segment) => ({
      label: t(locale, `lifecycle.${segment.class}`),
      members: segment.atEnd ?? 0,
    })),
  })
}

/**
 * `/stats`: the last 30 days' key figures with a chart of the last 12 weeks and the segment
 * sizes. A chart that cannot be drawn (no fonts, a broken native module) costs the picture,
 * not the answer.
 */
export async function statsReply(turn: Turn): Promise<Reply[]> {
  const { reports } = turn.deps.domain
  const report = await reports.programme()
  const text = statsText(turn.locale, report)
  try {
    const png = statsChart(turn.locale, report, await reports.recentWeeks(CHART_WEEKS))
    return [{ text, image: { png, name: 'stats.png' } }]
  } catch (error) {
    turn.deps.logger.error({ err: error }, 'the /stats chart could not be drawn')
    return [{ text: `${text}\n${t(turn.locale, 'stats.noChart')}` }]
  }
}
