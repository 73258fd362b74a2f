import type { ApiKeysTable } from './api-keys.ts'
import type {
  CampaignHoldoutsTable,
  CampaignImagesTable,
  CampaignOpensTable,
  CampaignsTable,
  OutboxTable,
  ReminderOpensTable,
  ChannelHealthTable,
} from './campaigns.ts'
import type { BindCodesTable, DialogStatesTable, ProcessedUpdatesTable } from './chat.ts'
import type { CouponsTable } from './coupons.ts'
import type {
  LotteriesTable,
  LotteryDrawsTable,
  LotteryPrizesTable,
  QuizAttemptsTable,
  QuizzesTable,
  SurveyResponsesTable,
  SurveysTable,
} from './engagement.ts'
import type { ImportJobsTable } from './import-jobs.ts'
import type { LedgerEntriesTable } from './ledger-entries.ts'
import type { LotAllocationsTable } from './lot-allocations.ts'
import type { MemberIdentitiesTable } from './member-identities.ts'
import type { MemberChangesTable, MembersTable } from './members.ts'
import type { MiniappLinksTable, ServerSecretsTable } from './miniapp.ts'
import type { OrderBenefitsTable, OrdersTable } from './orders.ts'
import type { PendingPointsTable } from './pending-points.ts'
import type { PlatformTokensTable } from './platform-tokens.ts'
import type { ChannelSourceTouchesTable, ChannelSourcesTable } from './channel-sources.ts'
import type { MassSendResultsTable } from './mass-send-results.ts'
import type { PointLotsTable } from './point-lots.ts'
import type { ProgrammeVersionsTable } from './programme-versions.ts'
import type { RedemptionsTable } from './redemptions.ts'
import type { ShopDeliveriesTable } from './shop-deliveries.ts'
import type { RefundsTable } from './refunds.ts'
import type { GuestRefundsTable, GuestSalesTable, SegmentSnapshotsTable } from './reports.ts'
import type { RewardImagesTable, RewardsTable } from './rewards.ts'
import type {
  JobLeasesTable,
  OrderEventsTable,
  ProductsTable,
  RemindersTable,
} from './reminders.ts'
import type {
  ChurnDigestsTable,
  MemberSegmentsTable,
  MemberTagsTable,
  SegmentStateTable,
  SegmentsTable,
} from './segments.ts'
import type {
  AuditLogTable,
  ConsoleLinksTable,
  StaffInvitesTable,
  StaffSessionsTable,
  StaffTable,
} from './staff.ts'
import type { TierChangesTable } from './tier-changes.ts'
import type {
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookSubscriptionEventsTable,
  WebhookSubscriptionsTable,
} from './webhooks.ts'

export interface Database {
  members: MembersTable
  memberChanges: MemberChangesTable
  memberIdentities: MemberIdentitiesTable
  importJobs: ImportJobsTable
  programmeVersions: ProgrammeVersionsTable
  ledgerEntries: LedgerEntriesTable
  pointLots: PointLotsTable
  lotAllocations: LotAllocationsTable
  orders: OrdersTable
  orderBenefits: OrderBenefitsTable
  pendingPoints: PendingPointsTable
  refunds: RefundsTable
  rewards: RewardsTable
  rewardImages: RewardImagesTable
  redemptions: RedemptionsTable
  coupons: CouponsTable
  tierChanges: TierChangesTable
  apiKeys: ApiKeysTable
  staff: StaffTable
  staffInvites: StaffInvitesTable
  staffSessions: StaffSessionsTable
  consoleLinks: ConsoleLinksTable
  auditLog: AuditLogTable
  dialogStates: DialogStatesTable
  processedUpdates: ProcessedUpdatesTable
  platformTokens: PlatformTokensTable
  channelSources: ChannelSourcesTable
  channelSourceTouches: ChannelSourceTouchesTable
  bindCodes: BindCodesTable
  serverSecrets: ServerSecretsTable
  miniappLinks: MiniappLinksTable
  quizzes: QuizzesTable
  quizAttempts: QuizAttemptsTable
  lotteries: LotteriesTable
  lotteryPrizes: LotteryPrizesTable
  lotteryDraws: LotteryDrawsTable
  surveys: SurveysTable
  surveyResponses: SurveyResponsesTable
  memberSegments: MemberSegmentsTable
  segmentState: SegmentStateTable
  memberTags: MemberTagsTable
  segments: SegmentsTable
  campaigns: CampaignsTable
  campaignImages: CampaignImagesTable
  outbox: OutboxTable
  massSendResults: MassSendResultsTable
  shopDeliveries: ShopDeliveriesTable
  channelHealth: ChannelHealthTable
  campaignOpens: CampaignOpensTable
  campaignHoldouts: CampaignHoldoutsTable
  reminderOpens: ReminderOpensTable
  products: ProductsTable
  reminders: RemindersTable
  orderEvents: OrderEventsTable
  jobLeases: JobLeasesTable
  guestSales: GuestSalesTable
  guestRefunds: GuestRefundsTable
  segmentSnapshots: SegmentSnapshotsTable
  webhookSubscriptions: WebhookSubscriptionsTable
  webhookSubscriptionEvents: WebhookSubscriptionEventsTable
  webhookDeliveries: WebhookDeliveriesTable
  webhookAttempts: WebhookAttemptsTable
  churnDigests: ChurnDigestsTable
}
