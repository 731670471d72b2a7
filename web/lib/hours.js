// A PoC's local time and whether it is inside its operating hours, from its IANA time zone
// and availability ("24/7" or {"weekly": [{"days", "from", "to"}]}).
import { current } from './i18n.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// {day: 'mon', minutes: 0..1439} of the instant now in zone; null for an unknown zone.
export function wallClock(zone, now = new Date()) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(now);
  } catch {
    return null;
  }
  const get = (type) => parts.find((p) => p.type === type).value;
  return {
    day: get('weekday').toLowerCase().slice(0, 3),
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

function minutes(hhmm) {
  const [hh, mm] = hhmm.split(':').map(Number);
  return hh * 60 + mm;
}

// Whether availability covers the instant now in zone; null when the zone is unknown.
export function inHours(availability, zone, now = new Date()) {
  if (availability === '24/7') return true;
  const w = wallClock(zone, now);
  if (!w || !availability || !availability.weekly) return null;
  return availability.weekly.some((s) => s.days.includes(w.day) &&
    minutes(s.from) <= w.minutes && w.minutes < minutes(s.to));
}

// The local time now in zone, as the interface's language writes it ("Tue 14:05").
export function localTime(zone, now = new Date()) {
  try {
    return new Intl.DateTimeFormat(current(), {
      timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit',
    }).format(now);
  } catch {
    return '?';
  }
}

export const WEEK = DAYS.slice(1).concat(DAYS[0]);

// A weekday's short name in the interface's language (2024-01-01 was a Monday).
export function dayName(day) {
  const i = WEEK.indexOf(day);
  return new Intl.DateTimeFormat(current(), { weekday: 'short', timeZone: 'UTC' })
    .format(new Date(Date.UTC(2024, 0, 1 + i)));
}
