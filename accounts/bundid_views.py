from django.views import View


class MetadataView(View):
    pass


class BundIdLoginView(View):
    pass


class AssertionConsumerView(View):
    pass


class BundIdLogoutView(View):
    pass
