"""The one page-number pagination of the API: `?page=` and `?page_size=` (up to a maximum)."""

from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    """20 a page by default, `?page_size=` up to 100; a list with other sizes subclasses it."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
