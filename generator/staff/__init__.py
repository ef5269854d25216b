"""Staff tools: record skeletons (``showcase new``), the evaluation workbook and its
comment-preserving import, the leaders' export workbook, editor schemas. Imports ``rules``
and below."""
