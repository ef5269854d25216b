"""The programme's year on paper: the annual report, the worklists, the status report and
the compilations as Word files, the calendars (iCalendar). One document model
(:mod:`.blocks`) written as a site fragment and a tagged PDF (:mod:`.htmlout`,
:mod:`.pdfout`) and as a GB/T 9704 Word file (:mod:`.docxout`). Imports ``site`` and
``pdf`` (the site's charts, URLs and templates, the compilations' PDF machinery) and the
layers below them; imported only by ``engines`` and ``cli``."""
