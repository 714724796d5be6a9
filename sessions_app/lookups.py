"""A lookup the records' rules use to stay fast on PostgreSQL.

``in_array``: the same test as ``__in`` with a subquery (the value is among the subquery's rows),
written for PostgreSQL as ``= ANY(ARRAY(subquery))``. PostgreSQL cannot turn ``a IN (subquery) OR
b IN (subquery)`` into index scans and reads the whole table; with arrays it combines the two
columns' indexes (a BitmapOr). sessions_app.selectors.essays.essays_in_terms relies on it: the
county table's essay counts over 500 groups went from a scan of every essay (about 300 ms) to
about 60 ms. Other databases get the plain ``IN (subquery)``.
"""

from django.db.models import ForeignKey, Lookup


@ForeignKey.register_lookup
class InSubqueryArray(Lookup):
    """field__in_array=<a queryset of one column>: the field's value is among its rows."""

    lookup_name = "in_array"

    def _sides(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        return lhs, rhs, [*lhs_params, *rhs_params]

    def as_sql(self, compiler, connection):
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} IN {rhs}", params

    def as_postgresql(self, compiler, connection):
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", params
