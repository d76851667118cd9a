"""The online intake form: an index at /submit/ and one Wagtail form-builder page per mechanism.

Staff edit only the extra fields (IntakeFormField rows, the form builder's usual inline panel);
the core that maps to case fields is fixed in code (forms.intake_form.CoreIntakeForm).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.fields import RichTextField
from wagtail.models import Page, PageViewRestriction

CORE_FIELDS_HELP = (
    "<p>固定字段由系统提供，不能删除：反映人类型（个人/用人单位）、姓名或单位名称、身份证号或统一社会信用代码、"
    "手机号码、涉及单位、争议类别（取自本机制启用的争议类别）、反映的主要内容、诉求、涉及人数、证明材料、"
    "个人信息处理同意。</p><p>下面的“补充字段”可以增加、拖动排序、修改名称；提交后连同字段名称一起保存在案件的"
    "“补充信息”中。</p>"
)


class IntakeIndexPage(Page):
    """/submit/: the person picks the city; with a single intake page it goes straight there."""
    route_cacheable = True  # home.routing: served from the per-process route cache

    intro = RichTextField("说明", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["intake.IntakeFormPage"]
    template = "intake/intake_index_page.html"

    class Meta:
        verbose_name = "网上受理入口"

    def intake_pages(self) -> list["IntakeFormPage"]:
        return list(
            IntakeFormPage.objects.child_of(self).live().public()
            .filter(mechanism__is_active=True).select_related("mechanism").order_by("path")
        )

    def get_context(self, request, *args, **kwargs):
        from forms.models.policy import MechanismPage
        from forms.models.tracking import TrackingPage

        context = super().get_context(request, *args, **kwargs)
        pages = kwargs.get("intake_pages") or self.intake_pages()
        guides = {p.mechanism_id: p for p in MechanismPage.objects.live().public()
                  .filter(mechanism__in=[page.mechanism_id for page in pages])}
        context["choices"] = [(page, guides.get(page.mechanism_id)) for page in pages]
        context["tracking_page"] = TrackingPage.objects.live().public().first()
        return context

    def route(self, request, path_components):
        # The form page with its mechanism in one query, not Wagtail's child lookup, .specific
        # refetch and lazy mechanism load (a third of an intake POST's queries). Anything else
        # under /submit/ (aliases, pages of another type) goes the usual way.
        if path_components:
            page = (IntakeFormPage.objects.child_of(self).filter(slug=path_components[0])
                    .select_related("mechanism").first())
            if page is not None and page.alias_of_id is None:
                page._cached_parent_obj = self
                return page.route(request, path_components[1:])
        return super().route(request, path_components)

    def serve(self, request, *args, **kwargs):
        pages = self.intake_pages()
        if len(pages) == 1 and not getattr(request, "is_preview", False):
            return redirect(pages[0].url)  # one city: no choice to make
        context = self.get_context(request, intake_pages=pages)
        return TemplateResponse(request, self.get_template(request), context)


class IntakeFormField(AbstractFormField):
    """An extra field staff add in the page editor; its answer lands in Case.extra."""

    page = ParentalKey("IntakeFormPage", on_delete=models.CASCADE, related_name="form_fields")

    class Meta(AbstractFormField.Meta):
        verbose_name = "补充字段"
        verbose_name_plural = "补充字段"


class IntakeFormPage(AbstractForm):
    route_cacheable = True  # home.routing: served from the per-process route cache
    mechanism = models.ForeignKey(
        "cases.Mechanism", on_delete=models.PROTECT, related_name="+", verbose_name="争议处置机制",
        help_text="每个机制只能有一个网上受理页面；提交的事项由该机制的办公室受理。",
    )
    intro = RichTextField("表单说明", blank=True)
    privacy_notice = RichTextField(
        "个人信息处理说明", blank=True,
        help_text="留空则按机制配置自动生成（处理者、目的、处理的信息、保存期限、如何查询更正）。",
    )
    thank_you_text = RichTextField("提交成功后的说明", blank=True)

    content_panels = AbstractForm.content_panels + [
        FieldPanel("mechanism"),
        FieldPanel("intro"),
        HelpPanel(content=CORE_FIELDS_HELP, heading="表单字段"),
        InlinePanel("form_fields", label="补充字段", heading="补充字段"),
        FieldPanel("privacy_notice"),
        FieldPanel("thank_you_text"),
    ]
    parent_page_types = ["intake.IntakeIndexPage"]
    subpage_types: list[str] = []
    template = "intake/intake_form_page.html"
    landing_page_template = "intake/intake_form_page_landing.html"

    class Meta:
        verbose_name = "网上受理表单"

    def clean(self):
        super().clean()
        if not self.mechanism_id:
            return
        others = IntakeFormPage.objects.filter(mechanism_id=self.mechanism_id).exclude(pk=self.pk)
        if others.exists():
            raise ValidationError({"mechanism": "该机制已有网上受理页面，每个机制只能有一个。"})
        if self.online_channel() is None:
            raise ValidationError(
                {"mechanism": "该机制没有启用的“网上受理表单”渠道，请先在机制配置的受理渠道中启用。"})

    def online_channel(self):
        # Asked by the form, the submission and the page context of every request.
        from cases.confcache import cached
        from cases.models import Channel

        return cached(("online_channel", self.mechanism_id), lambda: Channel.objects.filter(
            mechanism_id=self.mechanism_id, is_online_form=True, is_active=True,
        ).order_by("sort_order", "id").first())

    # Wagtail's form-builder hooks, bent to the case engine.
    def get_form_class(self, *, cacheable: bool = False):
        from forms.intake_form import intake_form_class

        return intake_form_class(self, cacheable=cacheable)

    def get_form(self, *args, cacheable: bool = False, **kwargs):
        kwargs.setdefault("page", self)
        return self.get_form_class(cacheable=cacheable)(*args, **kwargs)

    def process_form_submission(self, form):
        """Creates the case (not a FormSubmission row): see forms.services.intake_submit."""
        from forms.services import intake_submit

        return intake_submit(page=self, form=form)

    def get_context(self, request, *args, receipt: bool = False, **kwargs):
        from forms.intake_view import intake_context

        context = super().get_context(request, *args, **kwargs)
        context.update(intake_context(self, receipt=receipt))
        return context

    def render_landing_page(self, request, form_submission=None, *args, **kwargs):
        from forms.intake_view import render_receipt

        return render_receipt(self, request, case=form_submission)

    def get_view_restrictions(self):
        """Wagtail's rule (this page and its ancestors; an alias ancestor counts as its source
        page) in one query instead of two: it runs on every request to the form."""
        if self.alias_of_id:
            return super().get_view_restrictions()
        ancestors = Page.objects.ancestor_of(self)
        return PageViewRestriction.objects.filter(
            Q(page_id=self.pk)
            | Q(page__in=ancestors.filter(alias_of__isnull=True).values("pk"))
            | Q(page__in=ancestors.filter(alias_of__isnull=False).values("alias_of_id")))

    def serve(self, request, *args, **kwargs):
        from forms.intake_view import intake_serve

        return intake_serve(self, request)


class IntakeReceipt(models.Model):
    """The form's one-time token, written in the case's own transaction: a second POST of the
    same form finds it and shows the same receipt instead of registering the complaint twice."""

    wagtail_reference_index_ignore = True
    token = models.CharField("提交标识", max_length=64, unique=True)
    page = models.ForeignKey(Page, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name="表单页面")
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", verbose_name="争议事项")
    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "网上提交记录"
        verbose_name_plural = "网上提交记录"

    def __str__(self) -> str:
        return self.case.number if self.case_id else self.token[:8]
