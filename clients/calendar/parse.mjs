// Parses an iCalendar feed with Mozilla's ical.js (the parser Thunderbird's lineage uses) and prints
// what a calendar app would show, as JSON, for the Python tests to compare with GraphQL:
//   node parse.mjs FEED.ics FROM TO
// `events`: every VEVENT as written. `occurrences`: each event expanded (RRULE, EXDATE, RECURRENCE-ID
// overrides) with ical.js's own recurrence engine, those starting in [FROM, TO) (ISO instants).
// Date-times are converted to UTC through the feed's own VTIMEZONEs: ical.js ships no zone data, so
// a wrong or missing VTIMEZONE shows as a wrong instant.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [path, from, to] = process.argv.slice(2);
const root = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));

for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}

function when(time) {
  if (time === null || time === undefined) return null;
  if (time.isDate) return { date: time.toString() };
  return { instant: time.toJSDate().toISOString(), tzid: time.zone ? time.zone.tzid : null };
}

function text(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

// An ICAL.Event made from a component relates every RECURRENCE-ID override of the calendar to
// itself, whatever its UID, unless it is given its exceptions: so they are given, by UID.
function eventOf(component) {
  return new ICAL.Event(component, { strictExceptions: true, exceptions: [] });
}

const vevents = root.getAllSubcomponents("vevent");
const events = vevents.map((component) => {
  const event = eventOf(component);
  const start = component.getFirstProperty("dtstart");
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    url: text(component, "url"),
    status: text(component, "status"),
    categories: component.getAllProperties("categories").flatMap((p) => p.getValues()),
    start: when(event.startDate),
    end: when(component.hasProperty("dtend") ? event.endDate : null),
    startTzid: start ? start.getParameter("tzid") || null : null,
    recurrenceId: when(event.recurrenceId),
    rrule: component.hasProperty("rrule") ? component.getFirstPropertyValue("rrule").toString() : null,
    exdates: component.getAllProperties("exdate").flatMap((p) => p.getValues().map(when)),
  };
});

// Expansion as a calendar app does it: a master and the overrides that share its UID.
const fromTime = ICAL.Time.fromJSDate(new Date(from), true);
const toTime = ICAL.Time.fromJSDate(new Date(to), true);
const masters = new Map();
const overrides = [];
for (const component of vevents) {
  if (component.hasProperty("recurrence-id")) overrides.push(component);
  else masters.set(component.getFirstPropertyValue("uid"), eventOf(component));
}
for (const component of overrides) {
  const master = masters.get(component.getFirstPropertyValue("uid"));
  if (master) master.relateException(component);
  else masters.set(component.getFirstPropertyValue("uid") + "#orphan", eventOf(component));
}
const occurrences = [];
function inWindow(time) {
  // A date starts at its midnight in UTC here: the window is chosen wide enough that no all-day
  // occurrence sits on its edge.
  const instant = time.isDate ? Date.UTC(time.year, time.month - 1, time.day) : time.toJSDate().getTime();
  return instant >= fromTime.toJSDate().getTime() && instant < toTime.toJSDate().getTime();
}
for (const event of masters.values()) {
  if (!event.isRecurring()) {
    if (inWindow(event.startDate)) {
      occurrences.push({ uid: event.uid, recurrenceId: null, start: when(event.startDate), end: when(event.endDate), summary: event.summary });
    }
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    if (!next.isDate && next.compare(toTime) >= 0) break;
    if (next.isDate && !inWindow(next) && next.toJSDate() > toTime.toJSDate()) break;
    const details = event.getOccurrenceDetails(next);
    if (!inWindow(details.startDate)) continue;
    occurrences.push({
      uid: event.uid,
      recurrenceId: when(details.recurrenceId),
      start: when(details.startDate),
      end: when(details.endDate),
      summary: details.item.summary,
    });
  }
}

const calendar = {
  name: text(root, "x-wr-calname"),
  description: text(root, "x-wr-caldesc"),
  unavailable: root.getAllProperties("x-event-gateway-unavailable").map((p) => String(p.getFirstValue())),
  timezones: root.getAllSubcomponents("vtimezone").map((zone) => zone.getFirstPropertyValue("tzid")),
};
process.stdout.write(JSON.stringify({ calendar, events, occurrences }));
