/** `*Json` texts are the merchant's texts in both languages, `{"zh-CN": ..., "en": ...}`. */
export interface QuizzesTable {
  id: string
  titleJson: string
  /** Questions with their text and choices in both languages. */
  questionsJson: string
  rewardJson: string
  minTierCode: string | null
  opensAt: string
  closesAt: string
  active: number
  createdAt: string
}

export interface QuizAttemptsTable {
  id: string
  quizId: string
  memberId: string
  answersJson: string
  correct: number
  status: string
  pointsAwarded: number
  startedAt: string
  completedAt: string | null
}

export interface LotteriesTable {
  id: string
  titleJson: string
  costPoints: number
  freeDrawsPerDay: number
  maxDrawsPerMember: number | null
  maxDrawsPerDay: number | null
  opensAt: string
  closesAt: string
  active: number
  createdAt: string
}

export interface LotteryPrizesTable {
  id: string
  lotteryId: string
  position: number
  nameJson: string
  kind: string
  points: number | null
  rewardId: string | null
  weight: number
  stock: number | null
  won: number
}

/** Every draw with its roll, so that any outcome can be audited against the published odds. */
export interface LotteryDrawsTable {
  id: string
  lotteryId: string
  memberId: string
  prizeId: string
  free: number
  pointsPaid: number
  roll: number
  totalWeight: number
  couponId: string | null
  fulfilledAt: string | null
  fulfilledBy: string | null
  idempotencyKey: string
  localDay: string
  createdAt: string
}

export interface SurveysTable {
  id: string
  titleJson: string
  questionJson: string
  rewardPoints: number
  active: number
  createdAt: string
}

export interface SurveyResponsesTable {
  id: string
  surveyId: string
  memberId: string
  context: string
  score: number
  comment: string | null
  createdAt: string
}
