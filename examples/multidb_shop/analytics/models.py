from django.db import models


class Event(models.Model):
    name = models.CharField(max_length=100)
    occurred_at = models.DateTimeField(db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    session_key = models.CharField(max_length=40, blank=True)

    def __str__(self):
        return self.name


class PageView(models.Model):
    path = models.CharField(max_length=500)
    viewed_at = models.DateTimeField(db_index=True)
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="page_views")
