import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { AssistantsService } from './assistants.service';
import { DialogueTestsService } from './dialogue-tests.service';
import { AssistantDetailDto, AssistantDto, TestReportDto } from './dialogue.dto';

const DOMAIN_ZH = 'intents:\n  weather_query:\n    skill: weather\n    keywords: [天气, 气温]\n    examples: [今天的天气怎么样？]\nentities:\n  city:\n    values: { 北京: [Beijing], 上海: [Shanghai] }\n  date:\n    builtin: date\nslots:\n  city: { type: text, mappings: [{ type: from_entity, entity: city }] }\n  date: { type: text, initial: today, mappings: [{ type: from_entity, entity: date }] }\nresponses:\n  weather_report:\n    zh: ["{city}{date_text}的天气：{condition}，气温：{temperature}度"]\n  weather_unavailable:\n    zh: [抱歉，天气服务暂时不可用。]\n  fallback:\n    zh: [抱歉，我没有理解。您想查询哪里的天气？]\n  cancelled:\n    zh: [好的，已取消。]\n  confirm_yes_no:\n    zh: [确认吗？]\n';
const DOMAIN_EN = 'language: en\nsettings:\n  default_city: London\nintents:\n  weather_query:\n    skill: weather\n    keywords: [weather, temperature]\n    examples: ["what\'s the weather like today?"]\nentities:\n  city:\n    values: { London: [], Paris: [] }\n  date:\n    builtin: date\nslots:\n  city: { type: text, mappings: [{ type: from_entity, entity: city }] }\n  date: { type: text, initial: today, mappings: [{ type: from_entity, entity: date }] }\nresponses:\n  weather_report:\n    en: ["Weather in {city} {date_text}: {condition}, {temperature}°C"]\n  weather_unavailable:\n    en: ["Sorry, the weather service is unavailable."]\n  fallback:\n    en: ["Sorry, which city do you mean?"]\n  cancelled:\n    en: ["OK, cancelled."]\n  confirm_yes_no:\n    en: ["Shall I?"]\n';
const TESTS = 'tests:\n  - name: weather today\n    turns:\n      - user: 今天的天气怎么样？\n        intent: weather_query\n        slots: { date: today }\n        reply: 北京\n  - name: ordering a novel\n    turns:\n      - user: I want to order a novel\n        intent: order_product\n        reply: which book\n      - user: 《斗破苍穹》\n        slots: { product: 斗破苍穹 }\n        reply: "100"\n';

@ApiTags('dialogue')
@ApiBearerAuth()
@Controller('api/v1/dialogue/assistants')
export class AssistantsController {
  constructor(
    private readonly assistants: AssistantsService,
    private readonly tests: DialogueTestsService,
  ) {}

  /** Uploads an assistant's domain file (YAML, the request body itself): validated first; a wrong file is a 400 whose details list each problem with its line. */
  @Put(':name/domain')
  @AdminOnly()
  @ApiConsumes('application/yaml', 'text/yaml', 'text/plain')
  @ApiBody({ description: 'The domain file (docs/dialogue.md).', schema: { type: 'string' }, examples: { zh: { summary: '中文天气助理', value: DOMAIN_ZH }, en: { summary: 'An English weather assistant', value: DOMAIN_EN } } })
  @ApiErrors(400, 401, 403)
  putDialogueDomain(@CurrentProject() project: string, @Param('name') name: string, @Body() body: string): Promise<AssistantDto> {
    return this.assistants.put(project, name, typeof body === 'string' ? body : '');
  }

  /** The project's assistants (the default project always has the bundled shop). */
  @Get()
  @ApiErrors(401)
  listDialogueAssistants(@CurrentProject() project: string): Promise<AssistantDto[]> {
    return this.assistants.list(project);
  }

  /** One assistant with its domain file. */
  @Get(':name')
  @ApiErrors(400, 401, 404)
  getDialogueAssistant(@CurrentProject() project: string, @Param('name') name: string): Promise<AssistantDetailDto> {
    return this.assistants.get(project, name);
  }

  /** Runs conversation tests (YAML, the request body itself) against the assistant, each test in a fresh throw-away session; reports each failed turn. */
  @Post(':name/test')
  @HttpCode(200)
  @ApiConsumes('application/yaml', 'text/yaml', 'text/plain')
  @ApiBody({ description: 'A conversation-tests file (docs/dialogue.md).', schema: { type: 'string' }, examples: { zh: { summary: '天气与下单', value: TESTS }, en: { summary: 'Weather and ordering', value: TESTS.replace('今天的天气怎么样？', "what's the weather like today?").replace('reply: 北京', 'reply: Beijing') } } })
  @ApiErrors(400, 401, 404)
  testDialogueAssistant(@CurrentProject() project: string, @Param('name') name: string, @Body() body: string): Promise<TestReportDto> {
    return this.tests.run(project, name, typeof body === 'string' ? body : '');
  }
}
