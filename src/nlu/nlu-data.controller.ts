import { Readable } from 'node:stream';
import { Body, Controller, Delete, Get, Headers, HttpCode, Logger, Param, ParseUUIDPipe, Post, Put, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { EXPORT_CONTENT_TYPES, EXPORT_FILE_NAMES } from './formats';
import { DeletedDto, ExampleDto, ExampleInputDto, ExamplePageDto, ExampleQueryDto, ExportQueryDto, ImportFileQueryDto, ImportRequestDto, ImportResultDto, IntentSummaryDto, LookupDto, LookupInputDto, RegexDto, RegexInputDto, SynonymDto, SynonymInputDto } from './nlu.dto';
import { NluDataService } from './nlu-data.service';

@ApiTags('nlu-data')
@ApiBearerAuth()
@Controller('api/v1/nlu')
export class NluDataController {
  private readonly logger = new Logger(NluDataController.name);

  constructor(private readonly data: NluDataService) {}

  /** Intents with example counts per language. */
  @Get('intents')
  @ApiErrors(401)
  listIntents(@CurrentProject() project: string): Promise<IntentSummaryDto[]> {
    return this.data.intents(project);
  }

  /** Deletes an intent's examples. */
  @Delete('intents/:name')
  @AdminOnly()
  @ApiErrors(401, 403, 404)
  deleteIntent(@CurrentProject() project: string, @Param('name') name: string): Promise<DeletedDto> {
    return this.data.deleteIntent(project, name);
  }

  /** Training examples, filtered and paged. */
  @Get('examples')
  @ApiErrors(400, 401)
  listExamples(@CurrentProject() project: string, @Query() query: ExampleQueryDto): Promise<ExamplePageDto> {
    return this.data.listExamples(project, query);
  }

  /** Adds an example (entity offsets are checked against the text). */
  @Post('examples')
  @AdminOnly()
  @ApiErrors(400, 401, 403, 409)
  @ApiBody({
    type: ExampleInputDto,
    examples: {
      zh: { summary: '中文，带实体', value: { text: '我要订购一本小说', intent: 'order_product', lang: 'zh', entities: [{ entity: 'product', start: 6, end: 8, value: 'novel' }] } },
      en: { summary: 'English, with an entity', value: { text: 'I want to order a novel', intent: 'order_product', lang: 'en', entities: [{ entity: 'product', start: 18, end: 23, value: 'novel' }] } },
    },
  })
  createExample(@CurrentProject() project: string, @Body() body: ExampleInputDto): Promise<ExampleDto> {
    return this.data.createExample(project, body);
  }

  /** Replaces an example's text, intent, entities or language. */
  @Put('examples/:id')
  @AdminOnly()
  @ApiErrors(400, 401, 403, 404, 409)
  @ApiBody({
    type: ExampleInputDto,
    examples: {
      zh: { summary: '中文，带实体', value: { text: '我要订购一本小说', intent: 'order_product', lang: 'zh', entities: [{ entity: 'product', start: 6, end: 8, value: 'novel' }] } },
      en: { summary: 'English, with an entity', value: { text: 'I want to order a novel', intent: 'order_product', lang: 'en', entities: [{ entity: 'product', start: 18, end: 23, value: 'novel' }] } },
    },
  })
  updateExample(@CurrentProject() project: string, @Param('id', ParseUUIDPipe) id: string, @Body() body: ExampleInputDto): Promise<ExampleDto> {
    return this.data.updateExample(project, id, body);
  }

  /** Deletes an example. */
  @Delete('examples/:id')
  @HttpCode(204)
  @AdminOnly()
  @ApiErrors(400, 401, 403, 404)
  async deleteExample(@CurrentProject() project: string, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.data.deleteExample(project, id);
  }

  /** Lookup tables (gazetteers): values of an entity type, matched at parse time and used as tagger features. */
  @Get('lookups')
  @ApiErrors(401)
  listLookups(@CurrentProject() project: string): Promise<LookupDto[]> {
    return this.data.lookups(project);
  }

  /** Creates or replaces a lookup table; matched from the next parse on. */
  @Put('lookups/:name')
  @AdminOnly()
  @ApiErrors(400, 401, 403)
  @ApiBody({
    type: LookupInputDto,
    examples: {
      zh: { summary: '书名', value: { elements: ['斗破苍穹', '三体', '活着'] } },
      en: { summary: 'Cities', value: { elements: ['Beijing', 'Shanghai', 'Shenzhen'] } },
    },
  })
  putLookup(@CurrentProject() project: string, @Param('name') name: string, @Body() body: LookupInputDto): Promise<LookupDto> {
    return this.data.putLookup(project, name, body.elements);
  }

  /** Deletes a lookup table. */
  @Delete('lookups/:name')
  @HttpCode(204)
  @AdminOnly()
  @ApiErrors(401, 403, 404)
  deleteLookup(@CurrentProject() project: string, @Param('name') name: string): Promise<void> {
    return this.data.deleteResource(project, 'lookup', name);
  }

  /** Synonyms: surface forms mapped to a canonical value. */
  @Get('synonyms')
  @ApiErrors(401)
  listSynonyms(@CurrentProject() project: string): Promise<SynonymDto[]> {
    return this.data.synonyms(project);
  }

  /** Creates or replaces the surface forms of a canonical value. */
  @Put('synonyms/:value')
  @AdminOnly()
  @ApiErrors(400, 401, 403)
  @ApiBody({
    type: SynonymInputDto,
    examples: {
      zh: { summary: '上海的别称', value: { synonyms: ['沪', '魔都', '申城'] } },
      en: { summary: 'Ways to write Shanghai', value: { synonyms: ['SH', 'Shang-hai', 'shanghai city'] } },
    },
  })
  putSynonym(@CurrentProject() project: string, @Param('value') value: string, @Body() body: SynonymInputDto): Promise<SynonymDto> {
    return this.data.putSynonym(project, value, body.synonyms);
  }

  /** Deletes a synonym entry. */
  @Delete('synonyms/:value')
  @HttpCode(204)
  @AdminOnly()
  @ApiErrors(401, 403, 404)
  deleteSynonym(@CurrentProject() project: string, @Param('value') value: string): Promise<void> {
    return this.data.deleteResource(project, 'synonym', value);
  }

  /** Regex patterns; each match is an entity of the pattern's name. */
  @Get('regexes')
  @ApiErrors(401)
  listRegexes(@CurrentProject() project: string): Promise<RegexDto[]> {
    return this.data.regexes(project);
  }

  /** Creates or replaces the patterns of a regex entity (unsafe patterns are refused). */
  @Put('regexes/:name')
  @AdminOnly()
  @ApiErrors(400, 401, 403)
  @ApiBody({
    type: RegexInputDto,
    examples: {
      zh: { summary: '订单号（中文场景）', value: { patterns: ['订单号?[:：]?\\s*[0-9]{8,12}'] } },
      en: { summary: 'Order ids', value: { patterns: ['\\bORD-[0-9]{6}\\b'] } },
    },
  })
  putRegex(@CurrentProject() project: string, @Param('name') name: string, @Body() body: RegexInputDto): Promise<RegexDto> {
    return this.data.putRegex(project, name, body.patterns);
  }

  /** Deletes a regex entity. */
  @Delete('regexes/:name')
  @HttpCode(204)
  @AdminOnly()
  @ApiErrors(401, 403, 404)
  deleteRegex(@CurrentProject() project: string, @Param('name') name: string): Promise<void> {
    return this.data.deleteResource(project, 'regex', name);
  }

  /** Imports a Rasa NLU YAML, JSON or NDJSON file in one transaction (body limit NLU_IMPORT_BODY_LIMIT). Repeats of a text with the same intent are merged and counted; a bad file is a 400 listing each distinct problem with its count and first places (line for YAML/NDJSON, entry for JSON); nothing is written. */
  @Post('import')
  @HttpCode(200)
  @AdminOnly()
  @ApiErrors(400, 401, 403, 413)
  @ApiBody({
    type: ImportRequestDto,
    examples: {
      zh: { summary: '中文 Rasa YAML', value: { format: 'rasa-yaml', mode: 'merge', content: 'version: "3.1"\nnlu:\n- intent: order_product\n  examples: |\n    - 我要订购一本[小说](product)\n    - 帮我买一件[T恤衫](product)\n' } },
      en: { summary: 'English JSON list', value: { format: 'json', mode: 'merge', content: [{ text: 'what is the weather in Beijing', intent: 'ask_weather', entities: [{ entity: 'city', start: 23, end: 30 }] }] } },
    },
  })
  importTrainingData(@CurrentProject() project: string, @Body() body: ImportRequestDto): Promise<ImportResultDto> {
    return this.data.import(project, body.format, body.content, body.mode ?? 'merge');
  }

  /** Imports an uploaded file, the raw request body (NDJSON, Rasa YAML or JSON, by Content-Type or ?format=), in one transaction; same rules and limit as POST /nlu/import. */
  @Post('import/file')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Import a training-data file sent as the request body (application/x-ndjson, application/yaml, application/json)' })
  @ApiConsumes('application/x-ndjson', 'application/yaml', 'text/yaml', 'application/json')
  @ApiBody({
    description: 'The file itself, e.g. one JSON example per line for NDJSON.',
    schema: { type: 'string', example: '{"text": "播放周杰伦的歌", "intent": "play_music"}\n{"text": "play some jazz", "intent": "play_music"}\n' },
    examples: {
      zh: { summary: '中文 Rasa YAML（Content-Type: application/yaml）', value: 'version: "3.1"\nnlu:\n- intent: ask_weather\n  examples: |\n    - 今天[北京](city)的天气怎么样\n    - 明天会下雨吗\n' },
      en: { summary: 'English NDJSON (Content-Type: application/x-ndjson)', value: '{"text": "what is the weather in Beijing", "intent": "ask_weather"}\n{"text": "will it rain tomorrow", "intent": "ask_weather"}\n' },
    },
  })
  @ApiErrors(400, 401, 403, 413)
  importTrainingFile(@CurrentProject() project: string, @Body() body: string, @Query() query: ImportFileQueryDto, @Headers('content-type') contentType?: string): Promise<ImportResultDto> {
    return this.data.importFile(project, body, contentType, query.format, query.mode ?? 'merge');
  }

  /** Exports all training data, streamed (any size): by default the JSON envelope { format, content }; with file=true the bare file, which POST /nlu/import/file takes back. */
  @Get('export')
  @ApiProduces('application/json', 'application/yaml', 'application/x-ndjson')
  @ApiOkResponse({ description: 'envelope: { format, content } (content: the YAML/NDJSON text, or the JSON object { examples, lookups, synonyms, regexes }); file=true: the file itself' })
  @ApiErrors(400, 401)
  exportTrainingData(@CurrentProject() project: string, @Query() query: ExportQueryDto): StreamableFile {
    const format = query.format ?? 'rasa-yaml';
    const file = query.file === 'true';
    const stream = new StreamableFile(Readable.from(this.data.exportChunks(project, format, !file)), {
      type: file ? EXPORT_CONTENT_TYPES[format] : 'application/json; charset=utf-8',
      disposition: file ? `attachment; filename="${EXPORT_FILE_NAMES[format]}"` : undefined,
    });
    // Headers are out once streaming starts: a failure later can only cut the response short.
    return stream.setErrorHandler((err, res) => {
      this.logger.error(`export failed mid-stream: ${err.message}`);
      if (res.destroy) res.destroy(err);
      else res.end();
    });
  }
}
