/**
 * Whether `now` falls inside a daily window "HH:MM"–"HH:MM" in a time zone. A window whose end is before its
 * start wraps midnight (22:00–06:00); equal start and end means all day.
 */
export function withinActiveHours(now: Date, window: { start: string; end: string; timezone?: string }): boolean {
  const minutes = (hhmm: string) => {
    const [h, m] = hhmm.split(":").map(Number);
    return h! * 60 + m!;
  };
  const parts = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(window.timezone ? { timeZone: window.timezone } : {}),
  }).formatToParts(now);
  const hour = Number(parts.find((p) => p.type === "hour")?.value);
  const minute = Number(parts.find((p) => p.type === "minute")?.value);
  const current = hour * 60 + minute;
  const start = minutes(window.start);
  const end = minutes(window.end);
  if (start === end) return true;
  return start < end ? current >= start && current < end : current >= start || current < end;
}
