/** What the follow-up emails say about the lead's visit: when it is, in the lead's own zone, and whether it is near. */
import { DateTime } from 'luxon';
import type { Lead } from './lead.ts';
import type { RenderProps } from './ports.ts';

/** The appointment as an email says it, in the lead's zone: "Tuesday, December 1 at 10:00 AM EST". */
export function describeAppointment(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).setLocale('en-US').toFormat("cccc, LLLL d 'at' h:mm a ZZZZ");
}

/**
 * What an email going out at `now` may say about the lead's visit: when it is, whether that is today or tomorrow
 * (in the lead's zone), and whether the scheduling system reported it attended. Attendance comes from the
 * appointment's status alone, never from health data; anything but `attended` means we do not know the lead came.
 */
export function visitProps(
  lead: Pick<Lead, 'appointmentAt' | 'appointmentStatus' | 'timeZone'>,
  now: Date,
): Pick<RenderProps, 'appointment' | 'visitDay' | 'attended'> {
  if (!lead.appointmentAt) return {};
  const at = new Date(lead.appointmentAt);
  const days = DateTime.fromJSDate(at, { zone: lead.timeZone })
    .startOf('day')
    .diff(DateTime.fromJSDate(now, { zone: lead.timeZone }).startOf('day'), 'days').days;
  const visitDay = ({ 0: 'today', 1: 'tomorrow' } as const)[Math.round(days)];
  return {
    appointment: describeAppointment(at, lead.timeZone),
    attended: lead.appointmentStatus === 'attended',
    ...(visitDay && { visitDay }),
  };
}
