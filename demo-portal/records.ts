/**
 * The (fake) clinical records behind the role dashboards, shared by the server-rendered pages
 * and the single-page app's JSON API so both flavours show the very same patients. Every
 * patient name is PHI as far as the harness is concerned: both flavours mark it `data-phi`,
 * which is what lets tests prove screenshots and snapshots mask it.
 */

export interface ScheduleEntry {
  time: string;
  patient: string;
  reason: string;
}

const BASE_SCHEDULE: readonly ScheduleEntry[] = [
  { time: '08:30', patient: 'Jordan Ellis', reason: 'Annual physical' },
  { time: '09:15', patient: 'Maria Santos', reason: 'Follow-up: hypertension' },
  { time: '10:00', patient: 'Wei Zhang', reason: 'Lab review' },
];

export const LABS = [
  { patient: 'Jordan Ellis', test: 'Lipid panel', status: 'Final' },
  { patient: 'Maria Santos', test: 'Basic metabolic panel', status: 'Preliminary' },
] as const;

export const CLAIMS = [
  { id: 'CLM-20931', patient: 'Wei Zhang', amount: '$182.00', status: 'Submitted' },
  { id: 'CLM-20932', patient: 'Maria Santos', amount: '$96.50', status: 'Denied' },
] as const;

export const MESSAGES = [
  { title: 'Your lab results are ready', from: 'from your care team' },
  { title: 'Appointment reminder', from: 'next Tuesday at 10:00' },
] as const;

const SLOT_MINUTES = 45;
const FIRST_EXTRA_SLOT = 10 * 60 + 45;

/**
 * Today's schedule: the built-in visits, then one 45-minute slot per extra patient (the
 * `patients` option — tests plant a canary name there and look for it in artefacts).
 */
export function schedule(extraPatients: readonly string[]): ScheduleEntry[] {
  const extra = extraPatients.map((patient, i) => {
    const minutes = (FIRST_EXTRA_SLOT + i * SLOT_MINUTES) % (24 * 60);
    const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    return { time, patient, reason: 'New patient visit' };
  });
  return [...BASE_SCHEDULE, ...extra];
}
