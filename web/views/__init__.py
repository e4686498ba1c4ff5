"""Server-rendered pages of the citizen site (issue 6); each module holds one area's thin views."""
