"""Demo data: a deterministic, clearly labelled sample register of Hebi (示例数据).

Pure: no database or web import. :func:`generate_sample` builds it, :func:`sample_summary`
counts it; an importer stores it with ``is_sample`` set.
"""

from ipcity.demo.sample_data import SAMPLE_LABEL, SampleData, generate_sample, sample_summary

__all__ = ["SAMPLE_LABEL", "SampleData", "generate_sample", "sample_summary"]
