"""The library's home page `/library/`: the search box, the results with their highlighted
snippets, the facets (counted over what the reader may see) and keyset paging. Thin: read the
query string, call `library.search`, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import gettext as _

from envhub.core.errors import InvalidInput
from envhub.library import search
from envhub.library.search_query import MAX_QUERY_LENGTH


def _titles() -> dict[str, str]:
    return {"type": _("Type of document"), "year": _("Year"),
            "issuing_body": _("Issuing body"), "collection": _("Collection"),
            "province": _("Province"), "access_level": _("Access")}


def home(request):
    q = (request.GET.get("q") or "")[:MAX_QUERY_LENGTH]
    filters = search.Filters(**{name: [value.strip() for value in request.GET.getlist(name)
                                       if value.strip()][:search.MAX_FILTER_VALUES]
                                for name in search.FACETS})
    chosen = filters.chosen()
    kept = [("q", q)] if q else []
    kept += [(name, value) for name, values in chosen.items() for value in sorted(values)]
    # The page's JSON twin answers the same search: the query and the chosen facets.
    context = {"q": q, "chosen": chosen, "titles": _titles(), "results": None, "error": None,
               "api_url": "/api/v1/documents" + ("?" + urlencode(kept) if kept else "")}
    status = 200
    try:
        results = search.search(request.actor, q, filters,
                                cursor=request.GET.get("cursor") or None)
    except InvalidInput as error:
        context["error"] = error.message
        status = 400
    else:
        context.update({
            "results": results,
            "facets": [(name, context["titles"][name], values)
                       for name, values in results.facets.items() if values],
            "hits": [{"hit": hit, "url": search.document_url(hit.document)}
                     for hit in results.hits],
            "next_url": "?" + urlencode(kept + [("cursor", results.next)])
            if results.next else None,
            "first_url": "?" + urlencode(kept) if request.GET.get("cursor") else None,
        })
    return render(request, "library/home.html", context, status=status)
