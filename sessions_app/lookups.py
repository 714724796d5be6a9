"""Lookups the records' rules and the county table use to stay fast on PostgreSQL.

``in_array``: the same test as ``__in`` with a subquery (the value is among the subquery's rows),
written for PostgreSQL as ``= ANY(ARRAY(subquery))``. PostgreSQL cannot turn ``a IN (subquery) OR
b IN (subquery)`` into index scans and reads the whole table; with arrays it combines the two
columns' indexes (a BitmapOr). sessions_app.selectors.essays.essays_in_terms relies on it: the
county table's essay counts over 500 groups went from a scan of every essay (about 300 ms) to
about 60 ms. Other databases get the plain ``IN (subquery)``.

``in_list``: the same test as ``__in`` with a list of values, sent to PostgreSQL as one array
parameter, ``= ANY(%s)``. ``__in`` with a list makes Django prepare and psycopg place each value
on its own (about 2 ms for 500 ids, paid again in every query that holds the list); a subquery
instead is found again by the database in each query and misleads its estimates. The county
table filters its 500 groups' and terms' queries with it. Other databases get the plain ``IN``.
"""

from django.db.models import Field, ForeignKey, Lookup


@ForeignKey.register_lookup
class InSubqueryArray(Lookup):
    """field__in_array=<a queryset of one column>: the field's value is among its rows."""

    lookup_name = "in_array"

    def get_prep_lookup(self):
        # As __in does: the subquery's order means nothing in a set, and the models' default
        # orderings would sort every id of the array (about 25 ms for a year of 500 groups).
        from django.db.models.sql.query import Query

        if isinstance(self.rhs, Query):
            self.rhs.clear_ordering(clear_default=True)
        return super().get_prep_lookup()

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


@Field.register_lookup
@ForeignKey.register_lookup
class InList(Lookup):
    """field__in_list=<a list of plain values, such as ids>: the field's value is among them (an
    empty list matches nothing). The values go to the driver as they are, unprepared."""

    lookup_name = "in_list"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]
