"""The iCalendar feed's parts below the HTTP edge: its filter, its signed links, its records, its ICS.

`gateway.edge.calendar_feed` serves `GET /calendar.ics` with them; `resolvers.feed` hands out the
signed links (`calendarFeed`). Nothing here does I/O.
"""
