import type { ComponentType } from 'preact'
import type { CONSOLE_TEXTS } from './i18n.ts'
import type { SignedIn } from './state.ts'
import { AuditPage } from './audit/audit.tsx'
import { CampaignsPage } from './campaigns/campaigns.tsx'
import { CataloguePage } from './catalogue/catalogue.tsx'
import { CounterPage } from './counter/counter.tsx'
import { DataPage } from './data/data.tsx'
import { DashboardPage } from './dashboard.tsx'
import { InteractionsPage } from './interactions/interactions.tsx'
import { MembersPage } from './members/page.tsx'
import { ProgrammePage } from './programme/programme.tsx'
import { RemindersPage } from './reminders/reminders.tsx'
import { ReportsPage } from './reports/reports.tsx'
import { StaffPage } from './staff.tsx'

type Label = {
  [K in keyof (typeof CONSOLE_TEXTS)['en']]: (typeof CONSOLE_TEXTS)['en'][K] extends string
    ? K
    : never
}[keyof (typeof CONSOLE_TEXTS)['en']]

export interface ConsolePage {
  id: string
  label: Label
  /** The operation the page is built on: it is listed for whoever the server lets call it. */
  needs: string
  View: ComponentType
  /** The roles that open the console on this page: a clerk's work is the counter. */
  home?: SignedIn['role'][]
}

/** The console's pages in the order of its menu; a page is one line here. */
export const PAGES: ConsolePage[] = [
  {
    id: 'dashboard',
    label: 'pageDashboard',
    needs: 'GET /api/v1/attention',
    View: DashboardPage,
    home: ['manager', 'owner'],
  },
  {
    id: 'counter',
    label: 'counterTitle',
    needs: 'POST /api/v1/coupons/{code}/use',
    View: CounterPage,
    home: ['staff'],
  },
  { id: 'members', label: 'pageMembers', needs: 'GET /api/v1/members', View: MembersPage },
  { id: 'catalogue', label: 'catalogueTitle', needs: 'GET /api/v1/rewards', View: CataloguePage },
  // Built on creating them: a clerk's part (handing over prizes) is on the dashboard's list.
  {
    id: 'interactions',
    label: 'interactionsTitle',
    needs: 'POST /api/v1/quizzes',
    View: InteractionsPage,
  },
  {
    id: 'campaigns',
    label: 'pageCampaigns',
    needs: 'POST /api/v1/campaigns',
    View: CampaignsPage,
  },
  // Owner only: the page saves the whole programme, which only the owner may replace.
  { id: 'programme', label: 'pageProgramme', needs: 'PUT /api/v1/programme', View: ProgrammePage },
  // Built on the managers' route for the reminders' settings, not on the owner's programme.
  {
    id: 'reminders',
    label: 'pageReminders',
    needs: 'PUT /api/v1/reminders/settings',
    View: RemindersPage,
  },
  {
    id: 'reports',
    label: 'pageReports',
    needs: 'GET /api/v1/reports/programme',
    View: ReportsPage,
  },
  { id: 'data', label: 'pageData', needs: 'POST /api/v1/members/import', View: DataPage },
  { id: 'staff', label: 'staffTitle', needs: 'GET /api/v1/staff', View: StaffPage },
  { id: 'audit', label: 'auditTitle', needs: 'GET /api/v1/audit-log', View: AuditPage },
]
