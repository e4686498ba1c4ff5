"""One date format per language across the site (FORMAT_MODULE_PATH): Django's own differ between
DATETIME_FORMAT and SHORT_DATETIME_FORMAT ("2026/06/01 14:05" beside "2026年6月1日 14:05", and in
English "June 1, 2026, 2:05 p.m." beside "06/01/2026 2:05 p.m."), so the short ones are the long ones."""
