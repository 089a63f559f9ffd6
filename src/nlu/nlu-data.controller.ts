import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { BadInputError } from '../common/errors';
import { DeletedDto, ExampleDto, ExampleInputDto, ExamplePageDto, ExampleQueryDto, ImportRequestDto, ImportResultDto, IntentSummaryDto, LookupDto, LookupInputDto, RegexDto, RegexInputDto, SynonymDto, SynonymInputDto } from './nlu.dto';
import { DataFormat, NluDataService } from './nlu-data.service';

@ApiTags('nlu-data')
@ApiBearerAuth()
@Controller('api/v1/nlu')
export class NluDataController {
  constructor(private readonly data: NluDataService) {}

  /** Intents with example counts per language. */
  @Get('intents')
  @ApiErrors(401)
  listIntents(): Promise<IntentSummaryDto[]> {
    return this.data.intents();
  }

  /** Deletes an intent's examples. */
  @Delete('intents/:name')
  @AdminOnly()
  @ApiErrors(401, 403, 404)
  deleteIntent(@Param('name') name: string): Promise<DeletedDto> {
    return this.data.deleteIntent(name);
  }

  /** Training examples, filtered and paged. */
  @Get('examples')
  @ApiErrors(400, 401)
  listExamples(@Query() query: ExampleQueryDto): Promise<ExamplePageDto> {
    return this.data.listExamples(query);
  }

  /** Adds an example (entity offsets are checked against the text). */
  @Post('examples')
  @AdminOnly()
  @ApiErrors(400, 401, 403, 409)
  createExample(@Body() body: ExampleInputDto): Promise<ExampleDto> {
    return this.data.createExample(body);
  }

  /** Replaces an example's text, intent, entities or language. */
  @Put('examples/:id')
  @AdminOnly()
  @ApiErrors(400, 401, 403, 404, 409)
  updateExample(@Param('id', ParseUUIDPipe) id: string, @Body() body: ExampleInputDto): Promise<ExampleDto> {
    return this.data.updateExample(id, body);
  }

  /** Deletes an example. */
  @Delete('examples/:id')
  @HttpCode(204)
  @AdminOnly()
  @ApiErrors(400, 401, 403, 404)
  async deleteExample(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.data.deleteExample(id);
  }

  /** Lookup tables (gazetteers): values of an entity type, matched at parse time and used as tagger features. */
  @Get('lookups')
  @ApiErrors(401)
  listLookups(): Promise<LookupDto[]> {
    return this.data.lookups();
  }

  /** Creates or replaces a lookup table; matched from the next parse on. */
  @Put('lookups/:name')
  @AdminOnly()
  @ApiErrors(400, 401, 403)
  putLookup(@Param('name') name: string, @Body() body: LookupInputDto): Promise<LookupDto> {
    return this.data.putLookup(name, body.elements);
  }

  /** Deletes a lookup table. */
  @Delete('lookups/:name')
  @HttpCode(204)
  @AdminOnly()
  @ApiErrors(401, 403, 404)
  deleteLookup(@Param('name') name: string): Promise<void> {
    return this.data.deleteResource('lookup', name);
  }

  /** Synonyms: surface forms mapped to a canonical value. */
  @Get('synonyms')
  @ApiErrors(401)
  listSynonyms(): Promise<SynonymDto[]> {
    return this.data.synonyms();
  }

  /** Creates or replaces the surface forms of a canonical value. */
  @Put('synonyms/:value')
  @AdminOnly()
  @ApiErrors(400, 401, 403)
  putSynonym(@Param('value') value: string, @Body() body: SynonymInputDto): Promise<SynonymDto> {
    return this.data.putSynonym(value, body.synonyms);
  }

  /** Deletes a synonym entry. */
  @Delete('synonyms/:value')
  @HttpCode(204)
  @AdminOnly()
  @ApiErrors(401, 403, 404)
  deleteSynonym(@Param('value') value: string): Promise<void> {
    return this.data.deleteResource('synonym', value);
  }

  /** Regex patterns; each match is an entity of the pattern's name. */
  @Get('regexes')
  @ApiErrors(401)
  listRegexes(): Promise<RegexDto[]> {
    return this.data.regexes();
  }

  /** Creates or replaces the patterns of a regex entity (unsafe patterns are refused). */
  @Put('regexes/:name')
  @AdminOnly()
  @ApiErrors(400, 401, 403)
  putRegex(@Param('name') name: string, @Body() body: RegexInputDto): Promise<RegexDto> {
    return this.data.putRegex(name, body.patterns);
  }

  /** Deletes a regex entity. */
  @Delete('regexes/:name')
  @HttpCode(204)
  @AdminOnly()
  @ApiErrors(401, 403, 404)
  deleteRegex(@Param('name') name: string): Promise<void> {
    return this.data.deleteResource('regex', name);
  }

  /** Imports a Rasa NLU YAML or JSON file in one transaction. A bad file is a 400 listing each problem with its line (YAML) or entry (JSON); nothing is written. */
  @Post('import')
  @HttpCode(200)
  @AdminOnly()
  @ApiErrors(400, 401, 403, 413)
  importTrainingData(@Body() body: ImportRequestDto): Promise<ImportResultDto> {
    return this.data.import(body.format, body.content, body.mode ?? 'merge');
  }

  /** Exports all training data as Rasa NLU YAML (a string) or JSON. */
  @Get('export')
  @ApiQuery({ name: 'format', enum: ['rasa-yaml', 'json'], required: false })
  @ApiOkResponse({ description: 'rasa-yaml: { format, content: "<yaml>" }; json: { format, content: { examples, lookups, synonyms, regexes } }' })
  @ApiErrors(400, 401)
  async exportTrainingData(@Query('format') format: string = 'rasa-yaml'): Promise<{ format: string; content: unknown }> {
    if (format !== 'rasa-yaml' && format !== 'json') throw new BadInputError('format must be rasa-yaml or json', { field: 'format' });
    return { format, content: await this.data.export(format as DataFormat) };
  }
}
