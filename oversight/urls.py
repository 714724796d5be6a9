from django.urls import path

from oversight.views import table

app_name = "oversight"

urlpatterns = [
    path("", table.index, name="index"),
    path("<slug:org_slug>/", table.table, name="table"),
    path("<slug:org_slug>/table.xlsx", table.table_xlsx, name="table_xlsx"),
    path("<slug:org_slug>/groups/<slug:group_slug>/", table.group_page, name="group"),
]
