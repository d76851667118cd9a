"""Text tables for the demo data: names, employers and complaint wording per category."""

# GB/T 2260 codes for ID numbers and credit codes; other regions get a stable stand-in.
REGION_CODES = {"高平市": "140581", "沅江市": "430981"}
STAND_IN_REGIONS = ("130181", "320582", "370781", "410581", "510681", "610581")
INDUSTRIES = ["建筑工程", "商贸", "餐饮管理", "物流", "物业服务", "机械制造", "农业开发", "劳务派遣",
              "医药连锁", "酒店管理", "建材", "食品", "汽车销售"]
PROVINCE_INDUSTRIES = {"14": ["煤业", "煤业", "焦化", "铸造"], "43": ["纺织", "纺织", "苎麻纺织", "水产"]}
BRANDS = ("鑫源 宏达 泰丰 金利 华盛 永兴 恒通 瑞祥 顺发 兴隆 天润 宏昌 丰泽 盛世 新华 东方 龙腾 金鼎 "
          "福源 嘉禾 万通 鸿运 同心 民安 兴旺 康宁 利民 宏远 锦程 广源").split()
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严武戴莫孔向汤"
GIVEN = {"男": "伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 鑫 波 宇 浩 凯 俊 旭 宁 龙 建国 建华 志强 "
               "志明 海涛 晓东 文斌 国庆 卫东 红军 永刚 春生 保平 天明 新民 建军 利军".split(),
         "女": "芳 娜 敏 静 丽 艳 娟 霞 燕 玲 婷 雪 慧 颖 琳 倩 洁 桂英 秀英 丽娟 晓燕 海燕 春梅 玉兰 "
               "红梅 秀兰 金凤 美玲 丽萍 小红 素芳 翠华".split()}
OTHER_CITIES = ["太原市", "长沙市", "郑州市", "广州市", "深圳市", "东莞市", "杭州市", "苏州市", "武汉市"]

# Complaint texts, "facts｜request", per category code; "" serves codes a third city invents.
TEXTS = {
    "registration-transfer": [
        "本人{y}年{m}月从{other}回到{region}，入职{employer}后养老保险关系一直未能转入，本地查询不到原参保地{n}年的缴费记录。｜请求尽快办理养老保险关系转移接续，合并计算缴费年限。",
        "本人{y}年{m}月入职{employer}，单位以试用期为由一直未办理社会保险参保登记。｜请求督促单位办理参保登记，并补缴入职以来的社会保险费。",
        "本人已从{employer}离职{n}个月，原单位未办理社会保险减员，新单位无法为本人办理参保登记。｜请求协调原单位办理减员，保障本人在新单位正常参保。"],
    "registration-info": [
        "本人已在人社部门办理参保登记，但到税务部门缴费时系统提示无参保信息，已{n}个月无法缴费。｜请求核实登记信息传递情况，准予补缴且不加收滞纳金。",
        "本人参保登记时身份证号码被录错一位，{y}年缴纳的费款未记入个人账户。｜请求更正登记信息，将已缴费款记入个人权益记录。",
        "{employer}为本人申报的缴费工资与人社系统登记信息不一致，{y}年{m}月至{m2}月缴费记录缺失。｜请求核对登记和缴费信息，补记个人权益记录。"],
    "contribution-amount": [
        "{employer}一直按最低缴费基数为本人申报社会保险费，本人实际月工资约{wage}元，申报基数明显偏低。｜请求按实际工资核定缴费基数，督促单位补缴差额。",
        "本人以灵活就业人员身份参保，{y}年度核定的养老保险费为{amount}元，较上年增加较多，对缴费基数的计算有疑问。｜请求说明缴费基数上下限的确定依据，核实应缴金额。",
        "{employer}每月从本人工资中代扣社会保险费个人部分，但{y}年{m}月至{m2}月没有缴费记录。｜请求核查单位代扣未缴问题，督促单位补缴。"],
    "special-assessment": [
        "人社部门核定本人{y}年养老保险政策性补缴应缴金额为{amount}元，本人认为补缴基数适用年度有误。｜请求重新核定补缴金额。",
        "原单位{employer}在统一征收模式前欠缴本人养老保险费，核定的欠费额{amount}元与本人工资记录不符。｜请求按实际工资复核欠费金额。",
        "本人属应参保未参保情形，经核定需补缴{n}个月，核定金额含利息共{amount}元，本人对利息计算有异议。｜请求说明利息计算依据并重新核定。"],
    "late-fee": [
        "因{employer}未按时申报，本人{y}年{m}月才补缴社会保险费，被加收滞纳金{small}元，本人认为逾期责任在单位。｜请求免除本人滞纳金，或由单位承担。",
        "本人{y}年{m}月通过银行代扣缴纳养老保险费，因银行系统故障扣款失败，被加收滞纳金{small}元。｜请求核实扣款失败原因，退还滞纳金。"],
    "refund": [
        "本人于{y}年{m}月重复缴纳了城乡居民养老保险费{amount}元，申请退费已超过{n}个工作日仍未到账。｜请求尽快办理退费。",
        "本人已在{other}参加职工养老保险，在{region}以灵活就业身份缴费的期间与之重复，申请退还{amount}元时被告知须人社部门复核，流程不清楚。｜请求明确退费流程和所需材料，尽快办理退费。"],
    "benefits": [
        "本人{y}年{m}月达到法定退休年龄，核定的基本养老金为每月{pension}元，本人认为视同缴费年限未计算完整。｜请求重新核定养老金待遇。",
        "本人在{employer}工作期间受伤并认定为工伤，因单位欠缴工伤保险费，医疗费{amount}元至今未能报销。｜请求依法支付工伤保险待遇。",
        "本人被{employer}解除劳动合同后申领失业保险金，被告知单位缴费中断、累计缴费不满一年。｜请求核实缴费记录，依法发放失业保险金。"],
    "collection-inspection": [
        "{employer}自{y}年{m}月起欠缴职工社会保险费，涉及本人在内多名职工，至今未补缴。｜请求依法追缴欠费，保障职工权益。",
        "本人举报{employer}只为管理人员缴纳社会保险费，一线工人均未参保。｜请求开展缴费检查，督促单位为全体职工参保缴费。"],
    "medical-insurance": [
        "本人{y}年度城乡居民医疗保险已缴费，住院时系统显示未参保，住院费用{amount}元无法报销。｜请求核实参保状态并按规定报销。",
        "本人从{employer}离职后职工医保中断，转为灵活就业参保时被告知有{n}个月等待期。｜请求说明中断接续政策，依法减少等待期。"],
    "other": [
        "本人多次到窗口咨询社会保险费缴费事宜，不同窗口答复口径不一致，往返{n}次仍未办结。｜请求明确答复，并一次性告知所需材料。",
        "本人通过手机缴费软件缴纳社会保险费，扣款成功但{n}天后仍查不到缴费记录。｜请求查明款项去向并确认缴费。"],
    "": ["本人就{category}问题与{employer}及经办部门存在争议，已多次沟通未果。｜请求有关部门依法核实处理并答复。",
         "本人反映{category}问题：{y}年{m}月起相关业务一直未能办结，影响正常参保缴费。｜请求核实情况，限期办理。"],
}
EMPLOYER_TEXTS = {
    "contribution-amount": ["我单位{y}年度缴费基数申报后，核定的应缴金额与我单位测算相差{amount}元。｜请求复核应缴金额并说明计算口径。"],
    "late-fee": ["我单位因扣款账户变更未及时重签三方协议，{y}年{m}月费款扣缴失败，被加收滞纳金{small}元。｜请求核实情况，减免滞纳金。"],
    "refund": ["我单位{n}名职工已于{y}年{m}月离职，当月社会保险费已扣缴，申请退费时被告知只能抵缴下期费款。｜请求按规定办理退费。"],
    "collection-inspection": [
        "缴费检查认定我单位少缴社会保险费{amount}元，我单位认为其中部分人员为劳务关系，不应缴纳。｜请求复核检查结论。",
        "我单位收到限期缴纳通知，须在{n}日内缴清欠费{amount}元，因经营困难无力一次缴清。｜请求准予分期缴纳。"],
    "": ["我单位对{category}事项的处理有异议，已多次与经办部门沟通未果。｜请求依法复核并书面答复。"],
}
GROUP_TEXTS = [
    "{employer}{people}名职工联名反映：单位自{y}年{m}月起拖欠职工社会保险费，多次协商未果，职工情绪较大。｜请求督促单位尽快补缴欠费，保障职工养老、医疗待遇。",
    "{employer}{people}名职工反映：单位长期按最低基数申报社会保险费，{y}年起停缴，部分职工临近退休无法办理。｜请求依法追缴欠费，按实际工资补缴差额。",
    "{employer}已停产，{people}名职工的社会保险费自{y}年{m}月起中断，多次到单位讨要未果。｜请求协调处置单位资产清偿欠费，保障职工社保权益。"]
KEYWORDS = [("医", "medical-insurance"), ("滞纳金", "late-fee"), ("退", "refund"), ("待遇", "benefits"),
            ("金额", "contribution-amount"), ("登记", "registration-info"), ("欠费", "collection-inspection")]
SETTLE_METHODS = {
    "": ["explanation", "explanation", "mediation", "correction", "other"],
    "refund": ["refund", "refund", "explanation"], "late-fee": ["explanation", "correction", "reconciliation"],
    "collection-inspection": ["back_payment", "decision", "mediation", "court_enforcement"],
    "contribution-amount": ["correction", "back_payment", "mediation", "explanation"],
    "special-assessment": ["correction", "explanation"], "registration-info": ["correction"],
    "registration-transfer": ["correction", "back_payment", "explanation"],
    "benefits": ["correction", "explanation", "mediation"], "medical-insurance": ["correction", "explanation"]}
RESULTS = {  # method: (result, agreement)
    "explanation": ("经核实，{employer}已按规定申报缴纳，{unit}向反映人详细解释了相关政策，反映人表示理解。", ""),
    "mediation": ("经{unit}组织调解，双方达成一致意见。",
                  "{employer}同意于30日内为{name}补缴社会保险费{amount}元并承担相应滞纳金，{name}不再就此事项提出其他请求。"),
    "reconciliation": ("经{unit}协调，双方自行和解。", "{employer}与{name}协商一致，由单位一次性缴纳{amount}元。"),
    "correction": ("经核查，原登记（核定）信息有误，已予更正，个人权益记录已补记完整。", ""),
    "back_payment": ("经督促，{employer}已补缴社会保险费{amount}元，个人权益记录已更新。", ""),
    "refund": ("经人社部门复核、税务部门审核，已办理退费{amount}元，款项已退至缴费人账户。", ""),
    "decision": ("经调查核实，已依法向{employer}送达《社会保险费限期缴纳通知书》，责令其限期足额缴纳。", ""),
    "court_enforcement": ("{employer}逾期仍未缴纳，已依法申请人民法院强制执行，执行款{amount}元已入库。", ""),
    "other": ("已协调相关部门研究处理，并向反映人说明了办理情况和后续安排。", "")}
DECISIONS = [
    "由{lead}牵头，会同相关成员单位于{days}个工作日内核实{employer}欠缴情况，依法督促其限期补缴；确有困难的，可依法申请分期缴纳。",
    "{employer}欠费属统一征收模式前历史遗留问题，由{lead}核定欠费金额，税务部门据此征收，司法部门对适用法律把关。",
    "由{lead}组织用人单位与职工代表调解，{days}个工作日内提出调解方案；调解不成的，依法作出处理决定并告知救济途径。"]
FOLLOW_UPS = {"satisfied": "对办理结果满意，感谢工作人员耐心解释。", "basically": "问题基本解决，希望办理速度再快一些。",
              "unsatisfied": "对处理结果不满意，认为问题未得到实质解决。"}
OBJECTIONS = ["认为滞纳金不应由个人承担，对处理结果有异议。", "认为欠费核定金额偏低，未按实际工资计算。",
              "单位至今未按协议补缴，对办理结果不认可。"]

# Target mix (weights). "spot" ends 已反馈 through 当场办结.


def settlement_texts(rng, ctx, unit_short_name: str) -> tuple[str, str, str]:
    """(method, result, agreement) of a demo settlement, for the stepwise and the bulk seeder."""
    method = rng.choice(SETTLE_METHODS.get(ctx["category"].code, SETTLE_METHODS[""]))
    values = {"employer": ctx["employer"][0], "name": ctx["person"]["name"],
              "unit": unit_short_name,
              "amount": f"{rng.randint(800, 60000)}.{rng.randint(0, 99):02d}"}
    result, agreement = (text.format(**values) for text in RESULTS[method])
    return method, result, agreement
