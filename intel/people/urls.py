"""Pages of people: search, the person page and its network, merges, the review queue."""

from django.urls import path

from intel.people import views

urlpatterns = [
    path("people/", views.person_list_view, name="person-list"),
    path("people/<int:pk>/", views.person_detail_view, name="person-detail"),
    path("people/<int:pk>/merge/", views.person_merge_view, name="person-merge"),
    path("people/merges/<int:pk>/unmerge/", views.person_unmerge_view, name="person-unmerge"),
    path("people/matches/", views.match_list_view, name="match-list"),
    path("people/matches/<int:pk>/link/", views.match_link_view, name="match-link"),
    path("people/matches/<int:pk>/reject/", views.match_reject_view, name="match-reject"),
    path(
        "people/matches/arrests/<int:pk>/new-person/",
        views.match_new_person_view,
        name="match-new-person",
    ),
    path(
        "people/matches/victims/<int:pk>/new-person/",
        views.match_new_person_view,
        {"source": "shooting_victim"},
        name="match-new-person-victim",
    ),
    path(
        "people/matches/cases/<int:pk>/new-person/",
        views.match_new_person_view,
        {"source": "case"},
        name="match-new-person-case",
    ),
    path("people/<int:pk>/network/", views.person_network_view, name="person-network"),
]
