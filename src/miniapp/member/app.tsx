import { useEffect } from 'preact/hooks'
import { ApiError } from '../ui/api.ts'
import { Failure } from '../ui/boot.tsx'
import { inTelegram, telegramBack } from '../ui/telegram.ts'
import { CodeView } from './code.tsx'
import { CouponView, CouponsView } from './coupons.tsx'
import { Hero } from './hero.tsx'
import { HistoryView } from './history.tsx'
import { PlayView } from './play.tsx'
import { ProfileView } from './profile.tsx'
import { RewardsView } from './rewards.tsx'
import { type Me, type Tab, coupon, dialog, failed, me, t, tab } from './state.ts'

const TABS: Tab[] = ['code', 'history', 'rewards', 'play', 'coupons', 'profile']
const TAB_LABEL = {
  code: 'tabCode',
  history: 'tabHistory',
  rewards: 'tabRewards',
  play: 'tabPlay',
  coupons: 'tabCoupons',
  profile: 'tabProfile',
} as const

/** The member page: the hero card, the tabs and one view, or the reason it cannot be shown. */
export function App() {
  if (failed.value) return <Failed error={failed.value} />
  if (!me.value)
    return (
      <div class="loading" role="status">
        {t().loading}
      </div>
    )
  return (
    <>
      <Hero me={me.value} />
      <nav class="tabs" role="tablist">
        {TABS.map((id) => (
          <button
            role="tab"
            key={id}
            aria-selected={tab.value === id}
            data-tab={id}
            onClick={() => {
              coupon.value = null
              tab.value = id
            }}
          >
            {t()[TAB_LABEL[id]]}
          </button>
        ))}
      </nav>
      <div id="panel">{coupon.value ? <SubView /> : <View me={me.value} />}</div>
      {dialog.value}
    </>
  )
}

function View({ me: { member } }: { me: Me }) {
  switch (tab.value) {
    case 'code':
      return <CodeView />
    case 'history':
      return <HistoryView />
    case 'rewards':
      return <RewardsView />
    case 'play':
      return <PlayView />
    case 'coupons':
      return <CouponsView />
    case 'profile':
      return <ProfileView member={member} />
  }
}

/** A view opened from a tab; Telegram's back button, or the page's own, returns to the tab. */
function SubView() {
  const back = () => (coupon.value = null)
  useEffect(() => telegramBack(back), [])
  return (
    <>
      {!inTelegram && (
        <button class="back secondary" onClick={back}>
          {`← ${t().back}`}
        </button>
      )}
      {coupon.value && <CouponView coupon={coupon.value} />}
    </>
  )
}

function Failed({ error }: { error: unknown }) {
  const message =
    error instanceof ApiError && error.code === 'oauth_state_mismatch'
      ? t().errorOAuthState
      : error instanceof ApiError && error.status === 401
        ? t().errorAuth
        : error instanceof ApiError && error.code === 'member_not_found'
          ? t().errorNotMember
          : t().errorGeneric
  return <Failure title={t().errorTitle} message={message} />
}
