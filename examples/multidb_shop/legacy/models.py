from django.db import models


class LegacyCustomer(models.Model):
    """A table of the old CRM. Django reads it but never creates or alters it."""

    customer_no = models.CharField(max_length=20, unique=True)
    full_name = models.CharField(max_length=200, db_column="FULLNAME")
    email = models.CharField(max_length=254, blank=True)

    class Meta:
        managed = False
        db_table = "crm_customer"

    def __str__(self):
        return self.full_name


class LegacyAddress(models.Model):
    customer = models.ForeignKey(
        LegacyCustomer, on_delete=models.DO_NOTHING, db_column="CUSTOMER_ID", related_name="addresses"
    )
    line1 = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2, default="DE")

    class Meta:
        managed = False
        db_table = "crm_address"
