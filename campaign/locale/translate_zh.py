"""Fill the Simplified Chinese catalogue of the campaign app (run after makemessages; keeps existing msgstr)."""

import sys
from pathlib import Path

import polib

ZH = {
    "target rate": "目标参与率",
    "units": "单位数",
    "issued at": "发布时间",
    "issued by": "发布人",
    "participants now": "当前参与人数",
    "export": "导出",
    "county ranking": "县区排名",
    "Rank": "排名",
    "County": "县区",
    "Participants": "参与人数",
    "Headcount target": "目标人数",
    "Participation rate": "参与率",
    "Points": "积分",
    "item analysis": "试题分析",
    "Open": "打开",
    "Item analysis: %(title)s": "试题分析：%(title)s",
    "Campaign statistics": "活动统计",
    ("bulletin", "Rank"): "排名",
    ("bulletin", "County"): "县区",
    ("bulletin", "Units"): "单位数",
    ("bulletin", "Participants"): "参与人数",
    ("bulletin", "Headcount target"): "目标人数",
    ("bulletin", "Participation rate"): "参与率",
    ("bulletin", "Attempts"): "答题次数",
    ("bulletin", "Points"): "积分",
    ("bulletin", "Average score"): "平均分",
    ("bulletin", "Unit"): "单位",
    ("bulletin", "Industry"): "行业",
    ("bulletin", "County ranking"): "县区排名",
    ("bulletin", "Unit ranking"): "单位排名",
    "As of %(as_of)s · ranked by %(metric)s · issued %(issued)s": "截至 %(as_of)s · 按%(metric)s排名 · 发布于 %(issued)s",
    "competition": "竞赛",
    "message": "提醒内容",
    "expires at": "截止时间",
    "reminder": "督促提醒",
    "reminders": "督促提醒",
    "unit": "单位",
    "participants when reminded": "提醒时参与人数",
    "headcount target when reminded": "提醒时目标人数",
    "notice": "单位通知",
    "notices": "单位通知",
    "Average score": "平均分",
    "title": "标题",
    "region": "地区",
    "ranked by": "排名依据",
    "as of": "统计截至",
    "rows": "排名数据",
    "bulletin": "排名通报",
    "bulletins": "排名通报",
    ("judge option", "True"): "正确",
    ("judge option", "False"): "错误",
    "Only organizers and administrators may see campaign statistics.": "只有组织者和管理员可以查看活动统计。",
    "No such region.": "地区不存在。",
    "This region is outside your scope.": "该地区不在您的管理范围内。",
    "Not stated": "未填写",
    "A bulletin cannot be issued as of a moment in the future.": "通报的统计截止时间不能晚于现在。",
    "Must not be in the future.": "不能是将来的时间。",
    "Unknown ranking.": "未知的排名方式。",
    "%(competition)s: participation ranking as of %(moment)s": "%(competition)s：参与情况排名（截至 %(moment)s）",
    "Only organizers and administrators may send reminders.": "只有组织者和管理员可以发送督促提醒。",
    "Reminders can only be sent while the competition is open.": "只能在竞赛进行期间发送督促提醒。",
    "The target rate must be above 0% and at most 100%.": "目标参与率必须大于 0% 且不超过 100%。",
    "Must be above 0 and at most 1.": "必须大于 0 且不超过 1。",
    "The reminder would already have expired.": "该提醒的截止时间已过。",
    "Must be in the future.": "必须是将来的时间。",
    "Choose at least one unit to remind.": "请至少选择一个要提醒的单位。",
    "Choose at least one unit.": "请至少选择一个单位。",
    "Unit %(id)s does not exist or is outside your scope.": "单位 %(id)s 不存在或不在您的管理范围内。",
    "Some units cannot be reminded.": "部分单位无法提醒。",
    "Units": "单位数",
    "Attempts": "答题次数",
    "Best score": "最高分",
    "Nothing yet.": "暂无数据。",
    "Correct rate by category": "各分类正确率",
    "Category": "分类",
    "Times drawn": "抽中次数",
    "Correct": "答对次数",
    "Correct rate": "正确率",
    "Questions, hardest first": "试题（由难到易）",
    "Question": "试题",
    "Answer": "答案",
    "Discrimination": "区分度",
    "Most chosen wrong option": "最常选的错误选项",
    "Safety knowledge competition": "安全知识竞赛",
    "Campaign pages": "活动统计页面",
    "Competitions": "竞赛",
    "Statistics": "统计",
    "Lagging units": "落后单位",
    "Bulletins": "排名通报",
    "Item analysis": "试题分析",
    "Import units": "导入单位",
    "Region": "地区",
    "All regions": "全部地区",
    "Show": "显示",
    "Notices to your unit": "单位通知",
    "Reminder to %(unit)s": "致%(unit)s的督促提醒",
    "In “%(competition)s”, %(participants)s of the %(target)s people of %(unit)s have taken part (%(percent)s%%). The goal is %(goal)s%%: %(needed)s more people are needed.":
        "在“%(competition)s”中，%(unit)s 目标 %(target)s 人，已有 %(participants)s 人参与（%(percent)s%%）。目标参与率为 %(goal)s%%，还需 %(needed)s 人参与。",
    "Until %(date)s": "有效期至 %(date)s",
    "Take part now": "立即参与答题",
    "Home": "首页",
    "As of %(as_of)s, ranked by %(metric)s; issued %(issued)s by %(by)s.": "统计截至 %(as_of)s，按%(metric)s排名；由 %(by)s 于 %(issued)s 发布。",
    "Download Excel": "下载 Excel",
    "Download CSV": "下载 CSV",
    "County ranking": "县区排名",
    "Unit ranking": "单位排名",
    "Unit": "单位",
    "Title": "标题",
    "Default: competition and date": "默认：竞赛名称和日期",
    "Ranked by": "排名依据",
    "As of (empty: now)": "统计截至（留空为现在）",
    "Issue bulletin": "发布通报",
    "A bulletin freezes the county and unit rankings of the selected region as of the chosen moment; it never changes afterwards.":
        "通报会把所选地区截至所选时间的县区和单位排名固定下来，发布后不再变化。",
    "As of": "统计截至",
    "Issued by": "发布人",
    "Export": "导出",
    "No bulletin issued yet.": "尚未发布通报。",
    "Participation by county, unit, industry and day; lagging units and reminders; ranking bulletins; item analysis.":
        "按县区、单位、行业和日期统计参与情况；落后单位督促提醒；排名通报；试题分析。",
    "Competition": "竞赛",
    "Opens": "开始时间",
    "Closes": "结束时间",
    "Status": "状态",
    "No competition yet.": "暂无竞赛。",
    "Which units lag": "落后单位筛选",
    "Participation rate below (%%)": "参与率低于（%%）",
    "or among the lowest N of their county": "或在本县区排名倒数 N 位",
    "Find lagging units": "查找落后单位",
    "Remind": "提醒",
    "Place in county": "县内倒数名次",
    "Why": "原因",
    "Reminded": "已提醒",
    "below the rate": "低于参与率",
    "bottom of county": "县内排名靠后",
    "No unit lags by these rules.": "按此条件没有落后单位。",
    "Remind the ticked units": "提醒所勾选的单位",
    "Until their rate reaches (%%)": "直到参与率达到（%%）",
    "Show until": "显示至",
    "Message to the units": "提醒内容",
    "Please organise your staff to take part in the quiz.": "请组织本单位职工积极参加答题。",
    "Send reminder": "发送提醒",
    "Reminder history": "提醒记录",
    "Sent": "发送时间",
    "By": "发送人",
    "Target rate": "目标参与率",
    "Participants then": "提醒时参与人数",
    "Participants now": "当前参与人数",
    "Rate then → now": "参与率（提醒时 → 现在）",
    "State": "状态",
    "caught up": "已达标",
    "shown to members": "正在提醒",
    "expired": "已过期",
    "No reminder sent yet.": "尚未发送提醒。",
    "Trend over the campaign": "活动趋势",
    "New participants per day and cumulative participation rate": "每日新增参与人数和累计参与率",
    "Figures by day": "每日数据",
    "Day": "日期",
    "New participants": "新增参与人数",
    "Cumulative participants": "累计参与人数",
    "Cumulative rate": "累计参与率",
    "By county": "按县区",
    "Participation rate by county": "各县区参与率",
    "By unit": "按单位",
    "Industry": "行业",
    "No units in this region.": "该地区暂无单位。",
    "By industry": "按行业",
    ("competition status", "Draft"): "草稿",
    ("competition status", "Upcoming"): "未开始",
    ("competition status", "Open"): "进行中",
    ("competition status", "Closed"): "已结束",
    "Reminder sent to %(count)d unit(s).": "已向 %(count)d 个单位发送提醒。",
    "Bulletin issued.": "通报已发布。",
}

PLURALS = {
    "Over %(attempts)s submitted attempt; the upper and lower groups hold %(k)s attempts each (27%%).":
        "共 %(attempts)s 次已提交答题；高分组和低分组各 %(k)s 次（27%%）。",
}


def main(path: str) -> int:
    po = polib.pofile(path)
    missing = []
    for entry in po:
        key = (entry.msgctxt, entry.msgid) if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            text = PLURALS.get(entry.msgid)
            if text:
                entry.msgstr_plural = {0: text}
        elif key in ZH:
            entry.msgstr = ZH[key]
        elif not entry.msgstr:
            missing.append(key)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save(path)
    for key in missing:
        print("missing:", key)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent / "zh_Hans/LC_MESSAGES/django.po")))
