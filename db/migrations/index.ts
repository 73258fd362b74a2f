import type { Migration } from 'kysely'
import * as init from './0001-init.ts'
import * as chat from './0002-chat.ts'
import * as miniapp from './0003-miniapp.ts'
import * as engagement from './0004-engagement.ts'
import * as segments from './0005-segments.ts'
import * as campaigns from './0006-campaigns.ts'
import * as reminders from './0007-reminders.ts'
import * as reports from './0009-reports.ts'
import * as linkActors from './0010-link-actors.ts'
import * as memberChanges from './0011-member-changes.ts'
import * as pendingPoints from './0012-pending-points.ts'
import * as localizedTexts from './0013-localized-texts.ts'
import * as importJobs from './0014-import-jobs.ts'
import * as consoleSessions from './0015-console.ts'
import * as holdouts from './0016-holdouts.ts'
import * as platformTokens from './0018-platform-tokens.ts'
import * as outboxHealth from './0019-outbox-health.ts'
import * as churn from './0020-churn.ts'
import * as rewardCatalogue from './0021-reward-catalogue.ts'
import * as officialAccount from './0022-official-account.ts'
import * as webhooks from './0023-webhooks.ts'
import * as shopConnectors from './0024-shop-connectors.ts'
import * as couponUseKey from './0027-coupon-use-key.ts'
import * as tierBenefits from './0029-tier-benefits.ts'
import * as massSendResults from './0030-mass-send-results.ts'
import * as campaignImages from './0031-campaign-images.ts'

/** A static registry, so that migrations ship inside the bundle and run in a fixed order. */
export const migrations: Record<string, Migration> = {
  '0001-init': init,
  '0002-chat': chat,
  '0003-miniapp': miniapp,
  '0004-engagement': engagement,
  '0005-segments': segments,
  '0006-campaigns': campaigns,
  '0007-reminders': reminders,
  '0009-reports': reports,
  '0010-link-actors': linkActors,
  '0011-member-changes': memberChanges,
  '0012-pending-points': pendingPoints,
  '0013-localized-texts': localizedTexts,
  '0014-import-jobs': importJobs,
  '0015-console': consoleSessions,
  '0016-holdouts': holdouts,
  '0018-platform-tokens': platformTokens,
  '0019-outbox-health': outboxHealth,
  '0020-churn': churn,
  '0021-reward-catalogue': rewardCatalogue,
  '0022-official-account': officialAccount,
  '0023-webhooks': webhooks,
  '0024-shop-connectors': shopConnectors,
  '0027-coupon-use-key': couponUseKey,
  '0029-tier-benefits': tierBenefits,
  '0030-mass-send-results': massSendResults,
  '0031-campaign-images': campaignImages,
}
