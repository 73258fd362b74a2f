import { ChannelSourcesService } from './channel-sources/channel-sources.service.ts'
import { ChatSessionsService } from './chat/chat-sessions.service.ts'
import { PlatformTokensService } from './chat/platform-tokens.service.ts'
import { CampaignsService } from './campaigns/campaigns.service.ts'
import type { DomainDeps } from './context.ts'
import { type Adjustment, adjustPoints } from './ledger/adjustments.ts'
import { LedgerService } from './ledger/ledger.service.ts'
import { JobLeasesService } from './job-leases/job-leases.service.ts'
import { InteractionsService } from './interactions/interactions.service.ts'
import { LotteriesService } from './interactions/lotteries.service.ts'
import { QuizzesService } from './interactions/quizzes.service.ts'
import { SurveysService } from './interactions/surveys.service.ts'
import { MembersService } from './members/members.service.ts'
import { type MiniappAuthOptions, MiniappAuthService } from './miniapp-auth/miniapp-auth.service.ts'
import { ShopSyncService } from './orders/shop-sync.service.ts'
import { GuestSalesService } from './orders/guest-sales.service.ts'
import { OrdersService } from './orders/orders.service.ts'
import { PendingPointsService } from './orders/pending-points.service.ts'
import { OutboxService } from './outbox/outbox.service.ts'
import { ProgrammeService } from './programme/programme.service.ts'
import { RemindersService } from './reminders/reminders.service.ts'
import { ReportsService } from './reports/reports.service.ts'
import { RewardImagesService } from './rewards/reward-images.service.ts'
import { CampaignImagesService } from './campaigns/campaign-images.service.ts'
import { RewardsService } from './rewards/rewards.service.ts'
import { ChurnDigestService } from './segments/churn-digest.service.ts'
import { SegmentsService } from './segments/segments.service.ts'
import { TagsService } from './segments/tags.service.ts'
import { ChannelHealthService } from './health/channel-health.service.ts'
import { AuditService } from './staff/audit.service.ts'
import { StaffService } from './staff/staff.service.ts'
import {
  DEFAULT_STAFF_SESSION_LIFETIMES,
  type StaffSessionLifetimes,
  StaffSessionsService,
} from './staff/staff-sessions.service.ts'
import { ExportService } from './customer-data/export.service.ts'
import { ImportJobsService } from './customer-data/import-jobs.service.ts'
import { MemberImportService } from './customer-data/member-import.service.ts'
import { PrivacyService } from './privacy/privacy.service.ts'
import { TiersService } from './tiers/tiers.service.ts'
import {
  DEFAULT_RETRY_DELAYS_MS,
  type WebhookOptions,
  WebhooksService,
} from './webhooks/webhooks.service.ts'

export type { DomainDeps } from './context.ts'

const DEFAULT_MINIAPP: MiniappAuthOptions = {
  initDataMaxAgeSeconds: 86_400,
  sessionTtlSeconds: 3_600,
  linkTtlSeconds: 1_800,
}

/** Every domain service, built once from the same dependencies. */
export function createDomain(
  deps: DomainDeps,
  options: {
    miniapp?: Partial<MiniappAuthOptions>
    console?: Partial<StaffSessionLifetimes>
    webhooks?: Partial<WebhookOptions>
  } = {},
) {
  const programme = new ProgrammeService(deps)
  const members = new MembersService(deps, programme)
  const jobLeases = new JobLeasesService(deps)
  const segments = new SegmentsService(deps, programme, jobLeases)
  const outbox = new OutboxService(deps, programme)
  const channelHealth = new ChannelHealthService(deps, outbox)
  const reminders = new RemindersService(deps, programme, outbox)
  const campaigns = new CampaignsService(deps, programme, segments, outbox)
  const memberImport = new MemberImportService(deps, programme, members)
  const orders = new OrdersService(deps, programme, members, reminders)
  const guestSales = new GuestSalesService(deps, programme)
  const miniapp = { ...DEFAULT_MINIAPP, ...options.miniapp }
  const rewards = new RewardsService(deps, programme, members)
  return {
    deps,
    programme,
    members,
    ledger: new LedgerService(deps),
    // What follows an order or a refund reaches orders only through their OrderFollowUps port.
    orders,
    pendingPoints: new PendingPointsService(deps, programme, members),
    rewards,
    rewardImages: new RewardImagesService(deps, rewards),
    interactions: new InteractionsService(deps, programme),
    quizzes: new QuizzesService(deps, programme),
    lotteries: new LotteriesService(deps, programme),
    surveys: new SurveysService(deps, programme),
    staff: new StaffService(deps),
    // The console signs staff in with the same Telegram check as the member's page.
    staffSessions: new StaffSessionsService(deps, miniapp, {
      ...DEFAULT_STAFF_SESSION_LIFETIMES,
      ...options.console,
    }),
    audit: new AuditService(deps),
    tiers: new TiersService(deps, programme),
    segments,
    // The weekly digest of slipping customers to the owner and managers, with the win-back offer.
    churnDigest: new ChurnDigestService(deps, programme, outbox, reminders),
    outbox,
    channelHealth,
    reminders,
    jobLeases,
    campaigns,
    campaignImages: new CampaignImagesService(deps),
    guestSales,
    // Shop webhooks become orders through the same two services the till's API calls.
    shopSync: new ShopSyncService(deps, programme, members, orders, guestSales),
    // Marketing results side by side: campaigns first, then any other source (reminders).
    reports: new ReportsService(deps, programme, segments, [campaigns, reminders]),
    tags: new TagsService(deps, members),
    chat: new ChatSessionsService(deps),
    platformTokens: new PlatformTokensService(deps, jobLeases),
    miniapp: new MiniappAuthService(deps, members, miniapp),
    memberImport,
    importJobs: new ImportJobsService(deps, memberImport),
    channelSources: new ChannelSourcesService(deps),
    exports: new ExportService(deps, segments),
    privacy: new PrivacyService(deps, programme, members),
    webhooks: new WebhooksService(
      deps,
      { allowPrivateUrls: false, retryDelaysMs: DEFAULT_RETRY_DELAYS_MS, ...options.webhooks },
      outbox,
    ),
    adjust: (memberId: string, adjustment: Adjustment, actor: string) =>
      adjustPoints(deps, programme, members, memberId, adjustment, actor),
  }
}

export type Domain = ReturnType<typeof createDomain>
